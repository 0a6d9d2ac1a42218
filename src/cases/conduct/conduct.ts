import { canonicalUserId } from "../../chat/user-id.js";
import { isUserId } from "../../chat/user-id.js";
import { EventTimeline, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import { IsNull, Not, type DataSource, type EntityManager } from "typeorm";
import type { BotMessage } from "../../chat/bot-message.js";
import type { Catalog, Text } from "../../chat/catalog.js";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { startDialogue } from "../../chat/dialogue.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import type { Directory } from "../../config/directory.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import { RoomMaker } from "../../matrix/rooms.js";
import type { Logger } from "../../ops/log.js";
import type { Exchange } from "../../policy/audience.js";
import {
  defineTask,
  payloadList,
  payloadText,
  type Scheduler,
  type ScheduledTask,
} from "../../schedule/scheduler.js";
import { payloadContext } from "../../store/sealed-columns.js";
import { monthStart } from "../../store/columns.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import { forgetCaseTrail } from "../../store/case-trail.js";
import { ConductReport, reporterHashOf } from "../../store/entities/conduct-report.js";
import { Sanction } from "../../store/entities/sanction.js";
import { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { FieldCipher } from "../../store/field-cipher.js";
import { languageOf } from "../../store/people.js";
import { conductIntake, reportText, type ConductReportAnswers } from "./intake.js";
import { handlingOf, recused, type Handling } from "./recusal.js";
import { otherReportersOf } from "./repeats.js";

const ROOM_JOB = "conduct.room";
const NOBODY_JOB = "conduct.nobody-can-handle";
const WARN_JOB = "conduct.warn";

/** The reason the bans of `!dsx expel` give (the team's own reason stays in the report room). */
const BAN_REASON = "Removed under the Digital Security Exchange's Code of Conduct";
const EXPEL_JOB = "conduct.expel";

const OUTCOMES = ["warning", "expulsion", "no-action", "resolved", "withdrawn"] as const;

/** What a report keeps sealed while it is open. */
interface Details extends ConductReportAnswers {
  readonly reporter: string;
  readonly reporterRoom: string;
  /** Absent in reports made before the advisory committee could handle one: the abuse team. */
  readonly handledBy?: Handling["body"];
}

export interface ConductOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly cipher: FieldCipher;
  readonly catalog: Catalog;
  readonly directory: () => Directory;
  readonly rooms: RoomMaker;
  /** The rooms the bot moderates (configured and case rooms): where an expulsion bans. */
  readonly moderatedRooms: () => string[];
  readonly say: (manager: EntityManager, roomId: string, message: BotMessage) => Promise<void>;
  readonly jobs: () => Pick<Scheduler, "schedule">;
  readonly log: Logger;
}

/**
 * The Code of Conduct's reporting path: a confidential report from anyone who shares a DSX room
 * with the bot; a room per report with the abuse team minus whoever is recused (the person named,
 * their organisation, the reporter); notes, warnings and expulsions there; the reporter kept
 * informed of what they can safely know, and never named to anyone if they asked.
 */
export class Conduct {
  constructor(private readonly o: ConductOptions) {}

  chatModule(): ChatModule {
    const intake = conductIntake((context, report) => this.opened(context, report));
    const team = (words: string[], summary: string, run: Command["run"]): Command => ({
      words,
      rooms: ["report"],
      summary,
      // The advisory committee handles the reports that leave no one of the abuse team; the
      // report's own handlers are checked with the report.
      allowed: (context) =>
        context.directory.isAbuseTeam(context.inbound.sender) ||
        context.directory.isAdvisoryCommittee(context.inbound.sender),
      run: (context, rest) => this.withReport(context, rest, run),
    });
    return {
      dialogues: [intake],
      commands: [
        {
          words: ["report", "harassment"],
          rooms: ["direct"],
          summary: "conduct.command",
          opens: "conduct",
          run: async (context) => {
            context.reply({ label: "WHITE", text: context.text({ key: "conduct.start" }) });
            await startDialogue(context, intake);
          },
        },
        team(["note"], "conduct.commandNote", (c, rest) => this.note(c, rest)),
        team(["warn"], "conduct.commandWarn", (c, rest) => this.warn(c, rest)),
        team(["expel"], "conduct.commandExpel", (c, rest) => this.expel(c, rest)),
        team(["close"], "conduct.commandClose", (c, rest) => this.close(c, rest)),
      ],
    };
  }

  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: ROOM_JOB,
        prepare: async (job) => {
          const report = await this.get(this.o.dataSource.manager, job.caseId ?? "");
          // Also when a handler's join recorded the room already (see roomEvent): the room is
          // found again and whoever a crash left uninvited is invited.
          if (report?.state !== "open") return undefined;
          return this.o.rooms.caseRoom("report", report.caseId, this.handlers(report));
        },
        execute: (job, manager, roomId: string | undefined) => this.roomMade(job, manager, roomId),
      }),
      defineTask({
        kind: NOBODY_JOB,
        prepare: async (job) => {
          const rooms = new Map<string, string>();
          for (const userId of payloadList(job, "people"))
            rooms.set(userId, await this.o.rooms.directRoomWith(userId));
          return rooms;
        },
        execute: async (job, manager, rooms: Map<string, string>) => {
          for (const [userId, roomId] of rooms)
            await this.o.say(manager, roomId, {
              label: "WHITE",
              caseId: job.caseId ?? "",
              step: "needs-handling",
              text: renderText(this.o.catalog, await languageOf(manager, userId), {
                key: "conduct.needsHandling",
                params: { caseId: job.caseId ?? "" },
              }),
            });
        },
      }),
      defineTask({
        kind: WARN_JOB,
        prepare: (job) => this.o.rooms.directRoomWith(payloadText(job, "user")),
        execute: async (job, manager, roomId: string) => {
          await this.o.say(manager, roomId, {
            label: "WHITE",
            step: "warning",
            text: lines([
              renderText(this.o.catalog, "en", { key: "conduct.warningHeader" }),
              renderText(this.o.catalog, "en", {
                key: "conduct.warningText",
                params: {
                  message: this.o.cipher.decrypt(
                    payloadText(job, "message"),
                    payloadContext("message", job.caseId ?? ""),
                  ),
                },
              }),
            ]),
          });
        },
      }),
      defineTask({
        kind: EXPEL_JOB,
        prepare: (job) => this.ban(payloadText(job, "user")),
        execute: async (job, manager, result: { banned: number; unable: number }) => {
          const report = await this.get(manager, job.caseId ?? "");
          if (report?.roomId == null) return;
          await this.o.say(manager, report.roomId, {
            label: "WHITE",
            caseId: report.caseId,
            step: "expelled",
            text: renderText(this.o.catalog, "en", {
              key: "conduct.expelled",
              params: { user: payloadText(job, "user"), ...result },
            }),
          });
        },
      }),
    ];
  }

  /** Report rooms, as the guard holds them: only the report's handlers (RED). */
  async guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    const report = await this.o.dataSource.manager.findOneBy(ConductReport, {
      roomId,
      state: "open",
    });
    if (!report) return undefined;
    return { label: "RED", caseId: report.caseId, exchange: this.exchange(report) };
  }

  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const report = await this.get(this.o.dataSource.manager, caseId);
        return report?.state === "open" ? this.exchange(report) : undefined;
      },
    };
  }

  /** A handler joining the report's room gets the report (joined-only history). */
  async roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    if (event.getType() !== "m.room.member" || event.getContent()["membership"] !== "join") return;
    const roomId = event.getRoomId() ?? "";
    const report =
      (await manager.findOneBy(ConductReport, { roomId, state: "open" })) ??
      (await this.unrecordedRoom(manager, roomId));
    if (!report || !this.handlers(report).includes(event.getStateKey() ?? "")) return;
    const details = this.details(report);
    const t = (text: Text) => renderText(this.o.catalog, "en", text);
    const earlier = await otherReportersOf(manager, report);
    await this.o.say(manager, report.roomId ?? "", {
      label: "RED",
      caseId: report.caseId,
      step: "report",
      text: lines([
        t({
          key:
            details.handledBy === "advisory-committee"
              ? "conduct.roomHeaderCommittee"
              : "conduct.roomHeader",
          params: { caseId: report.caseId },
        }),
        t({
          key: "conduct.reportedBy",
          params: {
            reporter: details.anonymous
              ? t({ key: "conduct.anonymousReporter" }).plain
              : details.reporter,
          },
        }),
        reportText({ text: (text) => t(text) }, details),
        ...this.namedAs(details.who),
        ...(earlier > 0 ? [t({ key: "conduct.earlier", params: { count: earlier } })] : []),
        t({ key: "conduct.commands" }),
      ]),
    });
  }

  private async opened(context: ChatContext, answers: ConductReportAnswers): Promise<void> {
    const { manager, inbound, directory } = context;
    const now = new Date();
    const caseId = await nextCaseId(manager, "COC", now);
    // The person named as the directory spells them: `@Ana:…` is Ana, and is recused.
    const named = answers.who === undefined ? undefined : directory.resolveUser(answers.who);
    const out = recused(directory, inbound.sender, named);
    const { body, handlers } = handlingOf(directory, inbound.sender, named);
    const details: Details = {
      ...answers,
      reporter: inbound.sender,
      reporterRoom: inbound.roomId,
      handledBy: body,
    };
    const namedHash =
      named === undefined ? null : this.o.cipher.hash(canonicalUserId(named), "conduct.named");
    const report = manager.create(ConductReport, {
      caseId,
      state: "open",
      openedMonth: now.toISOString().slice(0, 7),
      closedMonth: null,
      outcome: null,
      namedHash,
      reporterHash:
        namedHash === null
          ? null
          : reporterHashOf(
              (value, context) => this.o.cipher.hash(value, context),
              namedHash,
              canonicalUserId(inbound.sender),
            ),
      anonymous: answers.anonymous,
      details: this.o.cipher.encrypt(JSON.stringify(details), seal(caseId, "details")),
      handlers: this.o.cipher.encrypt(JSON.stringify(handlers), seal(caseId, "handlers")),
      roomId: null,
      notes: null,
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
    });
    await manager.save(report);
    // The reporter is named in the audit log only when they did not ask for anonymity.
    await audit(manager, {
      actor: answers.anonymous ? null : inbound.sender,
      action: "conduct.reported",
      caseId,
    });
    context.reply({
      label: "WHITE",
      caseId,
      step: "received",
      text: context.text({ key: "conduct.received", params: { caseId } }),
    });
    if (handlers.length > 0) {
      await this.o.jobs().schedule(manager, { kind: ROOM_JOB, dueAt: now.getTime(), caseId });
      return;
    }
    // Everyone on the abuse team and the advisory committee is recused: DSX's other people
    // are told a report waits.
    const others = directory.dsx.members.filter((member) => !out.has(canonicalUserId(member)));
    if (others.length === 0) {
      this.o.log.error("nobody can handle a conduct report", { caseId });
      return;
    }
    await this.o.jobs().schedule(manager, {
      kind: NOBODY_JOB,
      dueAt: now.getTime(),
      caseId,
      payload: { people: others.join(" ") },
    });
  }

  private async roomMade(job: ScheduledJob, manager: EntityManager, made: string | undefined) {
    const report = await this.get(manager, job.caseId ?? "");
    const roomId = made ?? report?.roomId ?? undefined;
    if (report?.state !== "open" || roomId === undefined) return;
    if (report.roomId !== roomId)
      await manager.update(ConductReport, { id: report.id }, { roomId, updatedAt: Date.now() });
    // The reporter learns which body has the report, never whom it names.
    const byCommittee = this.details(report).handledBy === "advisory-committee";
    await this.tellReporter(
      manager,
      report,
      byCommittee ? "conduct.withCommittee" : "conduct.withTeam",
    );
  }

  /**
   * A report room the bot made whose job has not recorded it yet: a handler joined in between
   * (quick, or the bot was killed after the invites). The room is recorded now, by its case
   * marker, so that the handler gets the report; the job finds it recorded.
   */
  private async unrecordedRoom(
    manager: EntityManager,
    roomId: string,
  ): Promise<ConductReport | undefined> {
    const room = this.o.rooms.room(roomId);
    const caseId = room && RoomMaker.caseOf(room, this.o.client.getSafeUserId(), "report");
    if (caseId === undefined) return undefined;
    const report = await this.get(manager, caseId);
    if (report?.state !== "open" || report.roomId !== null) return undefined;
    await manager.update(ConductReport, { id: report.id }, { roomId, updatedAt: Date.now() });
    report.roomId = roomId;
    return report;
  }

  private async withReport(
    context: ChatContext,
    rest: string,
    run: (context: ChatContext, rest: string) => Promise<void>,
  ): Promise<void> {
    const report = await context.manager.findOneBy(ConductReport, {
      roomId: context.inbound.roomId,
      state: "open",
    });
    if (!report || !this.handlers(report).includes(context.inbound.sender)) {
      context.reply({ label: "WHITE", text: context.text({ key: "conduct.notHandler" }) });
      return;
    }
    await run(context, rest);
  }

  private async note(context: ChatContext, rest: string): Promise<void> {
    const report = await this.reportOfRoom(context);
    if (!rest.trim()) {
      context.reply({ label: "WHITE", text: context.text({ key: "conduct.noteUsage" }) });
      return;
    }
    const notes = [
      ...this.notes(report),
      { by: context.inbound.sender, at: Date.now(), text: rest.trim() },
    ];
    await context.manager.update(
      ConductReport,
      { id: report.id },
      { notes: this.o.cipher.encrypt(JSON.stringify(notes), seal(report.caseId, "notes")) },
    );
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "conduct.note",
      caseId: report.caseId,
    });
    context.reply({
      label: "WHITE",
      caseId: report.caseId,
      step: "note",
      text: context.text({ key: "conduct.noted", params: { count: notes.length } }),
    });
  }

  /** A warning in the person's direct room; it never names the reporter. */
  private async warn(context: ChatContext, rest: string): Promise<void> {
    const report = await this.reportOfRoom(context);
    const match = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim());
    if (!match || !isUserId(match[1] ?? "")) {
      context.reply({ label: "WHITE", text: context.text({ key: "conduct.warnUsage" }) });
      return;
    }
    const [, user = "", message = ""] = match;
    await this.o.jobs().schedule(context.manager, {
      kind: WARN_JOB,
      dueAt: Date.now(),
      caseId: report.caseId,
      // The message waits in the job sealed, as every free text is stored.
      payload: {
        user,
        message: this.o.cipher.encrypt(
          message.slice(0, 2000),
          payloadContext("message", report.caseId),
        ),
      },
    });
    await this.sanction(context, report, user, "warning");
    context.reply({
      label: "WHITE",
      caseId: report.caseId,
      step: "warning",
      text: context.text({ key: "conduct.warned", params: { user } }),
    });
  }

  /** Expulsion: a ban from every room the bot moderates, recorded as a sanction. */
  private async expel(context: ChatContext, rest: string): Promise<void> {
    const report = await this.reportOfRoom(context);
    const match = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim());
    if (!match || !isUserId(match[1] ?? "")) {
      context.reply({ label: "WHITE", text: context.text({ key: "conduct.expelUsage" }) });
      return;
    }
    const [, user = ""] = match;
    if (context.directory.isAbuseTeam(user) || user === this.o.client.getSafeUserId()) {
      context.reply({ label: "WHITE", text: context.text({ key: "conduct.expelTeam" }) });
      return;
    }
    await this.o.jobs().schedule(context.manager, {
      kind: EXPEL_JOB,
      dueAt: Date.now(),
      caseId: report.caseId,
      payload: { user },
    });
    await this.sanction(context, report, user, "expulsion");
  }

  private async close(context: ChatContext, rest: string): Promise<void> {
    const report = await this.reportOfRoom(context);
    const word = (rest.trim().split(/\s+/)[0] ?? "").toLowerCase();
    const outcome = (OUTCOMES as readonly string[]).includes(word) ? word : "other";
    const caseId = report.caseId;
    const { manager } = context;
    if (report.roomId !== null)
      await this.o.say(manager, report.roomId, {
        label: "WHITE",
        caseId,
        step: "closed",
        leaveAfter: true,
        text: context.text({ key: "conduct.closedRoom", params: { caseId, outcome } }),
      });
    await this.tellReporter(manager, report, "conduct.closedReporter", { outcome });
    await audit(manager, {
      actor: context.inbound.sender,
      action: "conduct.closed",
      caseId,
      outcome,
    });
    // Forget it: only the number, the months, the outcome (and the hashes that count repeats).
    await manager.update(
      ConductReport,
      { id: report.id },
      {
        state: "closed",
        closedMonth: new Date().toISOString().slice(0, 7),
        // The months stay; the exact times go.
        createdAt: monthStart(report.openedMonth),
        outcome,
        anonymous: null,
        details: null,
        handlers: null,
        roomId: null,
        notes: null,
        updatedAt: monthStart(new Date().toISOString().slice(0, 7)),
      },
    );
    await forgetCaseTrail(manager, [caseId]);
    // Fired jobs named people (a warning's recipient); those still to fire are kept.
    await manager.delete(ScheduledJob, { caseId, firedAt: Not(IsNull()) });
  }

  private async sanction(
    context: ChatContext,
    report: ConductReport,
    userId: string,
    kind: Sanction["kind"],
  ): Promise<void> {
    await context.manager.insert(Sanction, {
      userId,
      kind,
      caseId: report.caseId,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: `conduct.${kind}`,
      caseId: report.caseId,
    });
  }

  /** Bans a person from every room the bot moderates; a room where they are banned is skipped. */
  private async ban(userId: string): Promise<{ banned: number; unable: number }> {
    const { client } = this.o;
    const bot = client.getSafeUserId();
    let banned = 0;
    let unable = 0;
    for (const roomId of this.o.moderatedRooms()) {
      const room = client.getRoom(roomId);
      const state = room?.getLiveTimeline().getState(EventTimeline.FORWARDS);
      if (!room || !state) continue;
      if (room.getMember(userId)?.membership === "ban") {
        banned++;
        continue;
      }
      const power = room.getMember(bot)?.powerLevel ?? 0;
      if (!state.hasSufficientPowerLevelFor("ban", power)) {
        unable++;
        continue;
      }
      // A ban's reason is room state every member (and the server) reads in plain: the abuse
      // team's own reason stays in the report's room.
      await client.ban(roomId, userId, BAN_REASON);
      banned++;
    }
    if (unable > 0)
      this.o.log.warn("could not ban in some rooms: not enough power", { count: unable });
    return { banned, unable };
  }

  private async reportOfRoom(context: ChatContext): Promise<ConductReport> {
    return context.manager.findOneByOrFail(ConductReport, {
      roomId: context.inbound.roomId,
      state: "open",
    });
  }

  private async tellReporter(
    manager: EntityManager,
    report: ConductReport,
    key: string,
    params: Record<string, string> = {},
  ): Promise<void> {
    const details = this.details(report);
    const language = await languageOf(manager, details.reporter);
    await this.o.say(manager, details.reporterRoom, {
      label: "WHITE",
      caseId: report.caseId,
      step: "status",
      text: renderText(this.o.catalog, language, {
        key,
        params: { caseId: report.caseId, ...params },
      }),
    });
  }

  /**
   * When the person named was written otherwise than the directory spells them, the team is
   * told whom the bot took them for (and so recused): a doubt is decided for recusal, openly.
   */
  private namedAs(typed: string | undefined): Rendered[] {
    if (typed === undefined) return [];
    const person = this.o.directory().resolveUser(typed);
    if (person === typed) return [];
    return [
      renderText(this.o.catalog, "en", { key: "conduct.namedAs", params: { typed, person } }),
    ];
  }

  private get(manager: EntityManager, caseId: string): Promise<ConductReport | null> {
    return manager.findOneBy(ConductReport, { caseId });
  }

  private details(report: ConductReport): Details {
    if (report.details === null) throw new Error("a closed report has no details");
    return JSON.parse(
      this.o.cipher.decrypt(report.details, seal(report.caseId, "details")),
    ) as Details;
  }

  private handlers(report: ConductReport): string[] {
    if (report.handlers === null) return [];
    return JSON.parse(
      this.o.cipher.decrypt(report.handlers, seal(report.caseId, "handlers")),
    ) as string[];
  }

  private notes(report: ConductReport): unknown[] {
    if (report.notes === null) return [];
    return JSON.parse(
      this.o.cipher.decrypt(report.notes, seal(report.caseId, "notes")),
    ) as unknown[];
  }

  private exchange(report: ConductReport): Exchange {
    return {
      participants: new Set([...this.handlers(report), this.o.client.getSafeUserId()]),
      organisations: new Set(),
    };
  }
}

function seal(caseId: string, column: string): string {
  return `conduct_report.${column}:${caseId}`;
}
