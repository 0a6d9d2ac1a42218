import { LessThan, type EntityManager } from "typeorm";
import { RecurringJob } from "../schedule/recurring.js";
import { defineTask, type ScheduledTask, type Scheduler } from "../schedule/scheduler.js";
import { audit } from "../store/audit-log.js";
import { Conversation } from "../store/entities/conversation.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { languageOf } from "../store/people.js";
import type { Say } from "./bot-message.js";
import type { Catalog } from "./catalog.js";
import { stateOf } from "./conversation-store.js";
import type { Dialogue } from "./dialogue.js";
import { renderText } from "./render.js";

export const FORGET_JOB = "conversations.forget";

/** The longest wait between two looks for unfinished conversations. */
const LOOK_EVERY_MS = 24 * 3600_000;

export interface UnfinishedConversationsOptions {
  readonly dialogues: () => readonly Dialogue[];
  readonly cipher: FieldCipher;
  readonly catalog: Catalog;
  /** `policy.conversations.forgetAfter`: how long a question may wait for its answer. */
  readonly forgetAfter: () => number;
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule">;
}

/**
 * A report begun and then left (neither sent nor cancelled) would keep its answers and files
 * for ever. After `policy.conversations.forgetAfter` without an answer they are forgotten, like
 * a `cancel`, and the person is told. A durable job looks once a day (or once per that period,
 * if it is shorter); one due while the bot was down runs at start.
 */
export class UnfinishedConversations {
  private readonly recurring: RecurringJob;

  constructor(private readonly o: UnfinishedConversationsOptions) {
    // Once a day, or once per `forgetAfter` if that is shorter.
    this.recurring = new RecurringJob(
      FORGET_JOB,
      () => Math.min(LOOK_EVERY_MS, o.forgetAfter()),
      o.jobs,
    );
  }

  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: FORGET_JOB,
        prepare: () => Promise.resolve(undefined),
        execute: async (job, manager) => {
          await this.forget(manager, Date.now());
          await this.recurring.scheduleNext(manager, job.dueAt);
        },
      }),
    ];
  }

  /** At start: a look is always pending (the first run schedules one now). */
  ensureScheduled(manager: EntityManager, now: number): Promise<void> {
    return this.recurring.ensurePending(manager, now);
  }

  /** Forgets the conversations unanswered since before `now - forgetAfter`; returns how many. */
  async forget(manager: EntityManager, now: number): Promise<number> {
    const stale = await manager.findBy(Conversation, {
      updatedAt: LessThan(now - this.o.forgetAfter()),
    });
    for (const row of stale) {
      const dialogue = this.o.dialogues().find((d) => d.kind === row.kind);
      // Answers that no longer open (a key rotated without them) keep nothing to discard.
      const answers = opened(() => stateOf(row, this.o.cipher).answers);
      if (answers !== undefined) await dialogue?.discard?.(manager, answers);
      await manager.delete(Conversation, { id: row.id });
      const language = await languageOf(manager, row.userId);
      await this.o.say(manager, row.roomId, {
        label: "WHITE",
        step: "forgotten",
        text: renderText(this.o.catalog, language, { key: "dialogue.forgotten" }),
      });
      await audit(manager, { actor: null, action: "conversation.forgotten", outcome: row.kind });
    }
    return stale.length;
  }
}

function opened<T>(open: () => T): T | undefined {
  try {
    return open();
  } catch {
    return undefined;
  }
}
