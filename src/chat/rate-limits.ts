import { LessThanOrEqual, MoreThan, type EntityManager } from "typeorm";
import { decide, type WindowLimit } from "../policy/sliding-window.js";
import { RateMark, type RateMarkKind } from "../store/entities/rate-mark.js";
import type { FieldCipher } from "../store/field-cipher.js";
import type { Catalog } from "./catalog.js";
import { spokenDuration } from "./spoken-duration.js";
import { canonicalUserId } from "../policy/user-id.js";

/** Someone over a limit: from when they may go on, and whether this is the one answer. */
export interface HeldBack {
  readonly retryAt: number;
  /** How long from now that is. */
  readonly waitMs: number;
  /** True the first time in a burst: they (and for reports the team) are told; then silence. */
  readonly tell: boolean;
  readonly limit: WindowLimit;
  /** Whose limit it is: one person's, or (commands in a shared room) the room's. */
  readonly whose: "person" | "room";
}

/** The limit on new reports, as a conversation sees it. */
export interface ReportLimit {
  /**
   * Undefined while the person may make a new report (of a dialogue's kind); else until when
   * they may not. The first time in a burst, the team that receives such reports is told.
   */
  held(kind: string): Promise<HeldBack | undefined>;
  /** Counts the report just sent. */
  counted(): Promise<void>;
}

export interface RateLimitsOptions {
  readonly cipher: Pick<FieldCipher, "hash">;
  readonly reports: () => WindowLimit;
  readonly messagesPerPerson: () => WindowLimit;
  readonly messagesPerRoom: () => WindowLimit;
}

/** The event being counted, and who sent it where. */
export interface Counted {
  readonly eventId: string;
  readonly sender: string;
  readonly roomId: string;
  /** In a direct room the person's limit is the room's. */
  readonly direct: boolean;
}

/**
 * Limits per person and per room on what the bot answers, and per person on new reports, over
 * sliding windows. Counted in rows of the event's own transaction, so that a restart does not
 * reset a burst and an event handled again (a crash before its commit) is not counted twice.
 */
export class RateLimits {
  constructor(private readonly o: RateLimitsOptions) {}

  /** A message the bot would answer: taken (and counted), or held back. */
  async message(
    manager: EntityManager,
    event: Counted,
    now: number,
  ): Promise<HeldBack | undefined> {
    if (await this.counted(manager, "message", event.eventId)) return undefined;
    const person = this.person(event.sender);
    const room = this.o.cipher.hash(event.roomId, "limits.room");
    const personLimit = this.o.messagesPerPerson();
    const roomLimit = this.o.messagesPerRoom();
    const byPerson = await this.decision(manager, "message", person, personLimit, now);
    const byRoom = event.direct
      ? ({ ok: true } as const)
      : await this.decision(manager, "room-message", room, roomLimit, now);
    if (!byPerson.ok)
      return this.hold(manager, "message-told", person, event.eventId, {
        retryAt: Math.max(byPerson.retryAt, byRoom.ok ? 0 : byRoom.retryAt),
        limit: personLimit,
        whose: "person",
        now,
      });
    if (!byRoom.ok)
      return this.hold(manager, "room-message-told", room, event.eventId, {
        retryAt: byRoom.retryAt,
        limit: roomLimit,
        whose: "room",
        now,
      });
    await manager.insert(RateMark, {
      kind: "message",
      subject: person,
      eventId: event.eventId,
      at: now,
    });
    if (!event.direct)
      await manager.insert(RateMark, {
        kind: "room-message",
        subject: room,
        eventId: event.eventId,
        at: now,
      });
    return undefined;
  }

  /** The report limit of one person, for the event that would start or send a report. */
  reportLimit(
    manager: EntityManager,
    eventId: string,
    sender: string,
    now: number,
  ): { held(): Promise<HeldBack | undefined>; counted(): Promise<void> } {
    const person = this.person(sender);
    const limit = this.o.reports();
    return {
      held: async () => {
        const decision = await this.decision(manager, "report", person, limit, now);
        if (decision.ok) return undefined;
        return this.hold(manager, "report-told", person, eventId, {
          retryAt: decision.retryAt,
          limit,
          whose: "person",
          now,
        });
      },
      counted: async () => {
        if (await this.counted(manager, "report", eventId)) return;
        await manager.insert(RateMark, { kind: "report", subject: person, eventId, at: now });
      },
    };
  }

  private person(userId: string): string {
    return this.o.cipher.hash(canonicalUserId(userId), "limits.person");
  }

  private async counted(manager: EntityManager, kind: RateMarkKind, eventId: string) {
    return (await manager.countBy(RateMark, { kind, eventId })) > 0;
  }

  /** The rule over this subject's marks in the window; marks past every window are dropped. */
  private async decision(
    manager: EntityManager,
    kind: RateMarkKind,
    subject: string,
    limit: WindowLimit,
    now: number,
  ) {
    await manager.delete(RateMark, { kind, at: LessThanOrEqual(now - limit.withinMs) });
    const marks = await manager.find(RateMark, {
      select: { at: true },
      where: { kind, subject, at: MoreThan(now - limit.withinMs) },
    });
    return decide(
      marks.map((mark) => mark.at),
      limit,
      now,
    );
  }

  /** Held back: told once until `retryAt`, then silence (no answer storm). */
  private async hold(
    manager: EntityManager,
    told: RateMarkKind,
    subject: string,
    eventId: string,
    held: { retryAt: number; limit: WindowLimit; whose: HeldBack["whose"]; now: number },
  ): Promise<HeldBack> {
    await manager.delete(RateMark, { kind: told, at: LessThanOrEqual(held.now) });
    const silent = (await manager.countBy(RateMark, { kind: told, subject })) > 0;
    if (!silent) await manager.insert(RateMark, { kind: told, subject, eventId, at: held.retryAt });
    const { retryAt, limit, whose } = held;
    return { retryAt, waitMs: retryAt - held.now, limit, whose, tell: !silent };
  }
}

/** The parameters the answers about a limit share: how many, within what, and how long to wait. */
export function limitParams(
  catalog: Catalog,
  language: string,
  held: HeldBack,
): { count: number; within: string; wait: string } {
  // Rounded up, so that someone who waits as long as they are told is taken.
  const unit = held.waitMs > 60_000 ? 60_000 : 1000;
  const wait = Math.max(unit, Math.ceil(held.waitMs / unit) * unit);
  return {
    count: held.limit.count,
    within: spokenDuration(catalog, language, held.limit.withinMs),
    wait: spokenDuration(catalog, language, wait),
  };
}
