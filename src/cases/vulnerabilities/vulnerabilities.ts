import type { MatrixClient } from "matrix-js-sdk";
import { IsNull, Not, type DataSource, type EntityManager } from "typeorm";
import type { BotMessage } from "../../chat/bot-message.js";
import type { Catalog, Text } from "../../chat/catalog.js";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { startDialogue } from "../../chat/dialogue.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import type { Directory } from "../../config/directory.js";
import { parseDuration } from "../../config/duration.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { RoomMaker } from "../../matrix/rooms.js";
import type { Logger } from "../../ops/log.js";
import type { TlpNames } from "../../policy/tlp.js";
import type { Scheduler, ScheduledTask } from "../../schedule/scheduler.js";
import { defineTask } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId, parseCaseId } from "../../store/case-numbers.js";
import { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";
import { languageOf } from "../../store/people.js";
import { NoticeReceipts } from "./read-receipts.js";
import { deadlineOf, deadlineTime, isFinished, scheduleState, time } from "./state.js";
import {
  affectedName,
  summaryOf,
  vulnerabilityIntake,
  type VulnerabilityReport,
} from "./intake.js";
import { deadlinesFrom, plan, type Deadline, type DisclosurePolicy } from "./schedule.js";
import type { VulnerabilityStore } from "./vulnerability-store.js";

const NOTIFY_JOB = "vuln.notify";
const REMINDER_JOB = "vuln.reminder";
const DEADLINE_JOB = "vuln.deadline";

/**
 * The most time one `need-time` or `!dsx extend` adds: a year. Without a bound an extension such
 * as `P99999999D` moved the deadline past the last date JavaScript can represent, and showing it
 * threw (the person got "something went wrong" and the extension was lost).
 */
const MAX_EXTENSION_DAYS = 365;

/** A job that fires later than this after its time says so ("late"). */
const LATE_AFTER_MS = 1000;

export interface VulnerabilitiesOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly store: VulnerabilityStore;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  readonly rooms: RoomMaker;
  readonly say: (manager: EntityManager, roomId: string, message: BotMessage) => Promise<void>;
  readonly jobs: () => Pick<Scheduler, "schedule" | "cancel">;
  readonly policy: () => DisclosurePolicy & { readonly advisoryQuorum: number };
  readonly room: (
    key: "triage" | "advisory" | "communityAlerts" | "publicAlerts",
  ) => string | undefined;
  readonly log: Logger;
}

/**
 * The Vulnerability Disclosure Policy: a report goes at once to the affected party (step 1),
 * who answers `ack`, `fixed` or `need-time`; without an answer the DSX team is asked to
 * escalate (step 2); without a solution it is disclosed to stakeholders (step 3), publicly only
 * with the advisory committee's quorum. Every deadline and reminder is a durable job.
 */
export class Vulnerabilities {
  private readonly receipts: NoticeReceipts;

  constructor(private readonly o: VulnerabilitiesOptions) {
    this.receipts = new NoticeReceipts({
      ...o,
      seen: (manager, caseId) =>
        this.tellTriage(manager, "GREEN", "seen", {
          key: "vuln.seenTriage",
          params: { caseId },
        }),
    });
  }

  chatModule(): ChatModule {
    const intake = vulnerabilityIntake((context, report) => this.opened(context, report));
    const dsx = (context: ChatContext) => context.directory.isDsxTeam(context.inbound.sender);
    const triage = (words: string[], summary: string, run: Command["run"]): Command => ({
      words,
      rooms: ["triage"],
      summary,
      allowed: dsx,
      run,
    });
    const advisory = (word: string, summary: string, run: Command["run"]): Command => ({
      words: [word],
      rooms: ["advisory"],
      summary,
      allowed: (context) => context.directory.isAdvisoryCommittee(context.inbound.sender),
      run,
    });
    const answer = (word: string, summary: string, run: Command["run"]): Command => ({
      words: [word],
      rooms: ["direct"],
      summary,
      run,
    });
    return {
      dialogues: [intake],
      commands: [
        {
          words: ["report", "vulnerability"],
          rooms: ["direct"],
          summary: "vuln.command",
          allowed: (context) => context.directory.isKnown(context.inbound.sender),
          run: async (context) => {
            context.reply({ label: "WHITE", text: context.text({ key: "vuln.start" }) });
            await startDialogue(context, intake);
          },
        },
        answer("ack", "vuln.commandAck", (c, rest) => this.answer(c, rest, "ack")),
        answer("fixed", "vuln.commandFixed", (c, rest) => this.answer(c, rest, "fixed")),
        answer("need-time", "vuln.commandNeedTime", (c, rest) => this.answer(c, rest, "need-time")),
        triage(["vulns"], "vuln.commandVulns", (c) => this.list(c)),
        triage(["vuln"], "vuln.commandVuln", (c, rest) => this.show(c, rest)),
        triage(["escalate"], "vuln.commandEscalate", (c, rest) => this.escalate(c, rest)),
        triage(["extend"], "vuln.commandExtend", (c, rest) => this.extend(c, rest)),
        triage(["expedite"], "vuln.commandExpedite", (c, rest) => this.expedite(c, rest, true)),
        triage(["disclose"], "vuln.commandDisclose", (c, rest) => this.expedite(c, rest, false)),
        advisory("approve", "vuln.commandApprove", (c, rest) => this.vote(c, rest, "approve")),
        advisory("object", "vuln.commandObject", (c, rest) => this.vote(c, rest, "object")),
      ],
      openCases: {
        openCasesOf: async (context) => {
          const mine = (await this.o.store.all(context.manager)).filter(
            (v) =>
              v.state !== "published" &&
              this.o.store.open(v, "reporter") === context.inbound.sender,
          );
          return mine.map((v) => ({
            label: "WHITE",
            caseId: v.caseId,
            text: context.text({
              key: "vuln.statusLine",
              params: {
                caseId: v.caseId,
                state: context.text({ key: `vulnState.${v.state}` }).plain,
              },
            }),
          }));
        },
      },
    };
  }

  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: NOTIFY_JOB,
        prepare: async (job) => {
          const v = await this.o.store.get(this.o.dataSource.manager, job.caseId ?? "");
          const rooms = new Map<string, string>();
          for (const contact of v ? this.o.store.contacts(v) : [])
            rooms.set(contact.userId, await this.o.rooms.directRoomWith(contact.userId));
          return rooms;
        },
        execute: (job, manager, rooms: Map<string, string>) => this.notify(job, manager, rooms),
      }),
      { kind: REMINDER_JOB, execute: (job, manager) => this.remind(job, manager) },
      { kind: DEADLINE_JOB, execute: (job, manager) => this.deadline(job, manager) },
    ];
  }

  /** Exchanges of `VUL-…` cases: the affected party's contacts and organisation, and DSX. */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const v = await this.o.store.get(this.o.dataSource.manager, caseId);
        if (!v) return undefined;
        const organisations = [v.affectedOrg, this.o.directory().dsx.id].filter(
          (o): o is string => o !== null,
        );
        return {
          participants: new Set([
            ...this.o.store.contacts(v).map((c) => c.userId),
            this.o.client.getSafeUserId(),
          ]),
          organisations: new Set(organisations),
        };
      },
    };
  }

  /** Read receipts mark a notice seen: watched live, and checked once at start. */
  watchReceipts(): void {
    this.receipts.watch();
  }

  checkAllSeen(): Promise<void> {
    return this.receipts.checkAll();
  }

  private async opened(context: ChatContext, report: VulnerabilityReport): Promise<void> {
    const { manager, inbound, directory } = context;
    const now = Date.now();
    const caseId = await nextCaseId(manager, "VUL", new Date(now));
    const contacts =
      "user" in report.affected
        ? [report.affected.user]
        : (directory.organisation(report.affected.org)?.members ?? []);
    const policy = this.o.policy();
    const deadlines = deadlinesFrom(now, policy);
    const seal = (column: Parameters<VulnerabilityStore["seal"]>[1], value: string) =>
      this.o.store.seal(caseId, column, value);
    const v = manager.create(Vulnerability, {
      caseId,
      state: "notified",
      severity: report.severity,
      affectedOrg: "org" in report.affected ? report.affected.org : null,
      contacts: JSON.stringify(contacts.map((userId) => ({ userId, roomId: null }))),
      reporter: seal("reporter", inbound.sender),
      reporterRoom: seal("reporterRoom", inbound.roomId),
      credit: report.credit === undefined ? null : seal("credit", report.credit),
      shareContact: report.shareContact,
      description: seal("description", report.description),
      evidence: seal("evidence", report.evidence),
      language: context.language,
      notifiedAt: now,
      seenAt: null,
      answeredAt: null,
      ...deadlines,
      approvals: "[]",
      objections: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.save(v);
    await this.o.jobs().schedule(manager, { kind: NOTIFY_JOB, dueAt: now, caseId });
    await this.replan(manager, v);
    // An anonymous reporter is not named even in the audit log.
    await audit(manager, {
      actor: report.credit === undefined ? null : inbound.sender,
      action: "vulnerability.reported",
      caseId,
    });
    context.reply({
      label: "WHITE",
      caseId,
      step: "received",
      text: context.text({ key: "vuln.received", params: { caseId } }),
    });
    await this.tellTriage(manager, "AMBER", "notice", {
      key: "vuln.triageNew",
      params: {
        caseId,
        affected: affectedName(context, report.affected),
        severity: report.severity,
        description: report.description,
        due: time(deadlines.discloseAt),
      },
    });
  }

  /** Step 1: the affected party's contacts get the report in their direct rooms. */
  private async notify(job: ScheduledJob, manager: EntityManager, rooms: Map<string, string>) {
    const v = await this.o.store.get(manager, job.caseId ?? "");
    if (!v || isFinished(v)) return;
    await this.o.store.update(manager, v, {
      contacts: JSON.stringify([...rooms].map(([userId, roomId]) => ({ userId, roomId }))),
    });
    const reporter = this.o.store.open(v, "reporter");
    const credit = this.o.store.open(v, "credit");
    for (const [userId, roomId] of rooms) {
      const language = await languageOf(manager, userId);
      const t = (text: Text) => renderText(this.o.catalog, language, text);
      await this.o.say(manager, roomId, {
        label: "AMBER",
        caseId: v.caseId,
        step: "notice",
        text: lines([
          t({
            key: "vuln.notice",
            params: {
              caseId: v.caseId,
              severity: t({ key: `urgency.${v.severity}` }).plain,
              description: this.o.store.open(v, "description"),
              evidence: this.o.store.open(v, "evidence"),
              due: time(v.respondBy),
            },
          }),
          // The reporter's name and contact go to the affected party only if they agreed.
          v.shareContact
            ? t({
                key: "vuln.noticeContact",
                params: { contact: credit === "" ? reporter : `${credit} (${reporter})` },
              })
            : t({ key: "vuln.noticeNoContact" }),
        ]),
      });
    }
    await this.tellReporter(manager, v, "vuln.reporterNotified");
  }

  private async remind(job: ScheduledJob, manager: EntityManager): Promise<void> {
    const v = await this.o.store.get(manager, job.caseId ?? "");
    const deadline = deadlineOf(job);
    if (!v || isFinished(v) || deadline === undefined) return;
    const at = deadlineTime(v, deadline);
    if (at === null) return;
    const params = { caseId: v.caseId, deadline, due: time(at) };
    await this.tellTriage(manager, "GREEN", "reminder", { key: "vuln.reminderTriage", params });
    for (const contact of this.o.store.contacts(v)) {
      if (contact.roomId === null) continue;
      const language = await languageOf(manager, contact.userId);
      await this.o.say(manager, contact.roomId, {
        label: "GREEN",
        caseId: v.caseId,
        step: "reminder",
        text: renderText(this.o.catalog, language, { key: `vuln.reminder_${deadline}`, params }),
      });
    }
  }

  private async deadline(job: ScheduledJob, manager: EntityManager): Promise<void> {
    const v = await this.o.store.get(manager, job.caseId ?? "");
    const deadline = deadlineOf(job);
    if (!v || isFinished(v) || deadline === undefined) return;
    const late = Date.now() - job.dueAt > LATE_AFTER_MS ? ` (late: due ${time(job.dueAt)})` : "";
    const caseId = v.caseId;
    if (deadline === "respond") {
      if (v.answeredAt !== null) return;
      await this.tellTriage(manager, "GREEN", "deadline", {
        key: "vuln.noAnswer",
        params: { caseId, late },
      });
    } else if (deadline === "escalate") {
      if (v.answeredAt !== null) return;
      const providers = this.o
        .directory()
        .withRole("provider")
        .map((p) => p.name ?? p.id);
      await this.tellTriage(manager, "GREEN", "escalation", {
        key: "vuln.escalation",
        params: { caseId, late, providers: providers.join(", ") || "—" },
      });
    } else {
      await this.disclose(manager, v, late);
    }
  }

  /** Step 3: disclosure to stakeholders, and the advisory committee asked about going public. */
  private async disclose(manager: EntityManager, v: Vulnerability, late = ""): Promise<void> {
    await this.o.jobs().cancel(manager, v.caseId);
    await this.o.store.update(manager, v, { state: "disclosed", escalateAt: null });
    await audit(manager, { actor: null, action: "vulnerability.disclosed", caseId: v.caseId });
    const text = this.disclosureText(v);
    const community = this.o.room("communityAlerts");
    if (community !== undefined)
      await this.o.say(manager, community, {
        label: "GREEN",
        caseId: v.caseId,
        step: "disclosure",
        text,
      });
    const advisory = this.o.room("advisory");
    if (advisory !== undefined)
      await this.o.say(manager, advisory, {
        label: "GREEN",
        caseId: v.caseId,
        step: "approval-request",
        text: lines([
          text,
          this.en({
            key: "vuln.approvalRequest",
            params: { caseId: v.caseId, quorum: this.o.policy().advisoryQuorum },
          }),
        ]),
      });
    await this.tellTriage(manager, "GREEN", "disclosure", {
      key: "vuln.disclosedTriage",
      params: { caseId: v.caseId, late },
    });
    await this.tellReporter(manager, v, "vuln.reporterDisclosed");
  }

  private disclosureText(v: Vulnerability): Rendered {
    const credit = this.o.store.open(v, "credit");
    return this.en({
      key: "vuln.disclosure",
      params: {
        caseId: v.caseId,
        affected:
          v.affectedOrg === null
            ? "—"
            : (this.o.directory().organisation(v.affectedOrg)?.name ?? v.affectedOrg),
        severity: v.severity,
        description: this.o.store.open(v, "description"),
        credit: credit === "" ? this.en({ key: "vuln.creditAnonymous" }).plain : credit,
      },
    });
  }

  /** `ack`, `fixed`, `need-time <days> <reason>` from the affected party. */
  private async answer(context: ChatContext, rest: string, kind: "ack" | "fixed" | "need-time") {
    const [id = "", days = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.find(context, id);
    if (!v) return;
    const { manager, inbound } = context;
    const isContact =
      this.o.store.contacts(v).some((c) => c.userId === inbound.sender) ||
      (v.affectedOrg !== null &&
        context.directory.organisationOf(inbound.sender)?.id === v.affectedOrg);
    if (!isContact) {
      context.reply({
        label: "WHITE",
        text: context.text({ key: "vuln.notYours", params: { caseId: v.caseId } }),
      });
      return;
    }
    if (isFinished(v)) {
      context.reply({
        label: "WHITE",
        caseId: v.caseId,
        text: context.text({ key: "vuln.finished", params: { caseId: v.caseId } }),
      });
      return;
    }
    const caseId = v.caseId;
    const now = Date.now();
    await audit(manager, { actor: inbound.sender, action: `vulnerability.${kind}`, caseId });
    if (kind === "fixed") {
      await this.o.store.update(manager, v, { state: "fixed", answeredAt: v.answeredAt ?? now });
      context.reply({
        label: "WHITE",
        caseId,
        step: "answer",
        text: context.text({ key: "vuln.thanksFixed", params: { caseId } }),
      });
      await this.tellTriage(manager, "GREEN", "answer", {
        key: "vuln.fixedTriage",
        params: { caseId },
      });
      await this.tellReporter(manager, v, "vuln.reporterFixed");
      await this.disclose(manager, v);
      return;
    }
    if (kind === "need-time") {
      const n = Number(days);
      if (!Number.isInteger(n) || n < 1 || n > MAX_EXTENSION_DAYS || reason.length === 0) {
        context.reply({ label: "WHITE", text: context.text({ key: "vuln.needTimeUsage" }) });
        return;
      }
      await this.o.store.update(manager, v, {
        state: "needs-time",
        answeredAt: v.answeredAt ?? now,
        escalateAt: null,
        discloseAt: v.discloseAt + n * 86_400_000,
      });
      await this.replan(manager, v);
      context.reply({
        label: "WHITE",
        caseId,
        step: "answer",
        text: context.text({
          key: "vuln.thanksNeedTime",
          params: { caseId, due: time(v.discloseAt) },
        }),
      });
      // The reason stays with the DSX team: the reporter hears only of the new date.
      await this.tellTriage(manager, "AMBER", "answer", {
        key: "vuln.needTimeTriage",
        params: { caseId, days: n, reason: reason.join(" "), due: time(v.discloseAt) },
      });
      await this.tellReporter(manager, v, "vuln.reporterMoreTime", { due: time(v.discloseAt) });
      return;
    }
    await this.o.store.update(manager, v, {
      state: "acknowledged",
      answeredAt: v.answeredAt ?? now,
      escalateAt: null,
    });
    await this.replan(manager, v);
    context.reply({
      label: "WHITE",
      caseId,
      step: "answer",
      text: context.text({ key: "vuln.thanksAck", params: { caseId, due: time(v.discloseAt) } }),
    });
    await this.tellTriage(manager, "GREEN", "answer", {
      key: "vuln.ackTriage",
      params: { caseId },
    });
    await this.tellReporter(manager, v, "vuln.reporterAcknowledged");
  }

  private async list(context: ChatContext): Promise<void> {
    const all = (await this.o.store.all(context.manager)).filter((v) => v.state !== "published");
    context.reply({
      label: "GREEN",
      step: "vulns",
      text:
        all.length === 0
          ? context.text({ key: "vuln.none" })
          : lines(all.map((v) => this.line(context, v))),
    });
  }

  private async show(context: ChatContext, rest: string): Promise<void> {
    const v = await this.find(context, rest);
    if (!v) return;
    context.reply({
      label: "AMBER",
      caseId: v.caseId,
      step: "vuln",
      text: lines([
        this.line(context, v),
        summaryOf(context, {
          affected:
            v.affectedOrg === null
              ? { user: this.o.store.contacts(v)[0]?.userId ?? "" }
              : { org: v.affectedOrg },
          description: this.o.store.open(v, "description"),
          severity: v.severity as VulnerabilityReport["severity"],
          evidence: this.o.store.open(v, "evidence"),
          credit: this.o.store.open(v, "credit") || undefined,
          shareContact: v.shareContact,
        }),
      ]),
    });
  }

  /** One line of `!dsx vulns`: notified / seen / answered, and the next deadline. */
  private line(context: ChatContext, v: Vulnerability): Rendered {
    const next = plan(scheduleState(v), this.o.policy(), Date.now()).find(
      (j) => j.kind === "deadline",
    );
    return context.text({
      key: "vuln.line",
      params: {
        caseId: v.caseId,
        severity: v.severity,
        state: context.text({ key: `vulnState.${v.state}` }).plain,
        seen: context.text({ key: v.seenAt === null ? "vuln.notSeen" : "vuln.seen" }).plain,
        next: next === undefined ? "—" : `${next.deadline} ${time(next.dueAt)}`,
      },
    });
  }

  private async escalate(context: ChatContext, rest: string): Promise<void> {
    const v = await this.find(context, rest);
    if (!v) return;
    if (v.answeredAt !== null || isFinished(v)) {
      context.reply({
        label: "WHITE",
        caseId: v.caseId,
        text: context.text({ key: "vuln.noEscalation", params: { caseId: v.caseId } }),
      });
      return;
    }
    await this.o.store.update(context.manager, v, { state: "escalated", escalateAt: null });
    await this.replan(context.manager, v);
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "vulnerability.escalated",
      caseId: v.caseId,
    });
    context.reply({
      label: "GREEN",
      caseId: v.caseId,
      step: "escalation",
      text: context.text({ key: "vuln.escalated", params: { caseId: v.caseId } }),
    });
    await this.tellReporter(context.manager, v, "vuln.reporterEscalated");
  }

  private async extend(context: ChatContext, rest: string): Promise<void> {
    const [id = "", length = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.find(context, id);
    if (!v) return;
    const duration = parseDuration(length);
    const tooLong = "ms" in duration && duration.ms > MAX_EXTENSION_DAYS * 86_400_000;
    if ("error" in duration || tooLong || reason.length === 0 || isFinished(v)) {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.extendUsage" }) });
      return;
    }
    await this.o.store.update(context.manager, v, {
      discloseAt: v.discloseAt + duration.ms,
      escalateAt: v.escalateAt === null ? null : v.escalateAt + duration.ms,
      respondBy: v.answeredAt === null ? v.respondBy + duration.ms : v.respondBy,
    });
    await this.replan(context.manager, v);
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "vulnerability.extended",
      caseId: v.caseId,
      outcome: duration.iso,
    });
    context.reply({
      label: "GREEN",
      caseId: v.caseId,
      step: "extended",
      text: context.text({
        key: "vuln.extended",
        params: { caseId: v.caseId, due: time(v.discloseAt) },
      }),
    });
    await this.tellReporter(context.manager, v, "vuln.reporterMoreTime", {
      due: time(v.discloseAt),
    });
  }

  /** `!dsx expedite <reason>` (active exploitation) or `!dsx disclose`: step 3 now. */
  private async expedite(context: ChatContext, rest: string, needsReason: boolean): Promise<void> {
    const [id = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.find(context, id);
    if (!v) return;
    if (isFinished(v)) {
      context.reply({
        label: "WHITE",
        caseId: v.caseId,
        text: context.text({ key: "vuln.finished", params: { caseId: v.caseId } }),
      });
      return;
    }
    if (needsReason && reason.length === 0) {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.expediteUsage" }) });
      return;
    }
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: needsReason ? "vulnerability.expedited" : "vulnerability.disclose-now",
      caseId: v.caseId,
    });
    await this.disclose(context.manager, v);
  }

  /** `!dsx approve` / `!dsx object <reason>` in the advisory room: the quorum makes it public. */
  private async vote(
    context: ChatContext,
    rest: string,
    vote: "approve" | "object",
  ): Promise<void> {
    const [id = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.find(context, id);
    if (!v) return;
    const caseId = v.caseId;
    const { manager, inbound } = context;
    if (v.state !== "disclosed") {
      context.reply({
        label: "WHITE",
        caseId,
        text: context.text({
          key: v.state === "published" ? "vuln.alreadyPublic" : "vuln.notYetAsked",
          params: { caseId },
        }),
      });
      return;
    }
    if (vote === "object") {
      if (reason.length === 0) {
        context.reply({ label: "WHITE", text: context.text({ key: "vuln.objectUsage" }) });
        return;
      }
      const objections = [
        ...this.o.store.objections(v),
        { userId: inbound.sender, reason: reason.join(" ") },
      ];
      await this.o.store.update(manager, v, {
        objections: this.o.store.seal(caseId, "objections", JSON.stringify(objections)),
      });
      await audit(manager, { actor: inbound.sender, action: "vulnerability.objected", caseId });
      context.reply({
        label: "GREEN",
        caseId,
        step: "vote",
        text: context.text({ key: "vuln.objectionRecorded", params: { caseId } }),
      });
      return;
    }
    const approvals = [...new Set([...this.o.store.approvals(v), inbound.sender])];
    await this.o.store.update(manager, v, { approvals: JSON.stringify(approvals) });
    await audit(manager, { actor: inbound.sender, action: "vulnerability.approved", caseId });
    const quorum = this.o.policy().advisoryQuorum;
    context.reply({
      label: "GREEN",
      caseId,
      step: "vote",
      text: context.text({
        key: "vuln.approvalRecorded",
        params: { caseId, count: approvals.length, quorum },
      }),
    });
    if (approvals.length < quorum) return;
    await this.o.store.update(manager, v, { state: "published" });
    const publicRoom = this.o.room("publicAlerts");
    if (publicRoom !== undefined)
      await this.o.say(manager, publicRoom, {
        label: "WHITE",
        caseId,
        step: "disclosure",
        text: this.disclosureText(v),
      });
    await this.tellTriage(manager, "GREEN", "disclosure", {
      key: "vuln.publishedTriage",
      params: { caseId },
    });
    await this.tellReporter(manager, v, "vuln.reporterPublished");
  }

  /** Cancels the case's pending jobs and schedules what its deadlines now call for. */
  private async replan(manager: EntityManager, v: Vulnerability): Promise<void> {
    const jobs = this.o.jobs();
    await jobs.cancel(manager, v.caseId, REMINDER_JOB);
    await jobs.cancel(manager, v.caseId, DEADLINE_JOB);
    const fired = new Map<Deadline, number>();
    for (const job of await manager.findBy(ScheduledJob, {
      caseId: v.caseId,
      kind: DEADLINE_JOB,
      firedAt: Not(IsNull()),
    })) {
      const deadline = deadlineOf(job);
      if (deadline) fired.set(deadline, Math.max(fired.get(deadline) ?? 0, job.dueAt));
    }
    for (const job of plan(scheduleState(v), this.o.policy(), Date.now(), fired))
      await jobs.schedule(manager, {
        kind: job.kind === "reminder" ? REMINDER_JOB : DEADLINE_JOB,
        dueAt: job.dueAt,
        caseId: v.caseId,
        payload: { deadline: job.deadline },
      });
  }

  private async find(context: ChatContext, text: string): Promise<Vulnerability | undefined> {
    const parsed = parseCaseId(text.trim().split(/\s+/)[0] ?? "");
    if (parsed?.kind !== "VUL") {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.badCaseId" }) });
      return undefined;
    }
    const v = await this.o.store.get(context.manager, parsed.id);
    if (!v)
      context.reply({
        label: "WHITE",
        text: context.text({ key: "vuln.unknown", params: { caseId: parsed.id } }),
      });
    return v ?? undefined;
  }

  private async tellTriage(
    manager: EntityManager,
    label: BotMessage["label"],
    step: string,
    text: Text,
  ) {
    const triage = this.o.room("triage");
    const caseId = text.params?.["caseId"];
    if (triage !== undefined)
      await this.o.say(manager, triage, {
        label,
        step,
        text: this.en(text),
        ...(typeof caseId === "string" ? { caseId } : {}),
      });
  }

  /** The reporter hears of every significant change, in their language, nothing confidential. */
  private async tellReporter(
    manager: EntityManager,
    v: Vulnerability,
    key: string,
    params: Record<string, string> = {},
  ) {
    await this.o.say(manager, this.o.store.open(v, "reporterRoom"), {
      label: "WHITE",
      caseId: v.caseId,
      step: "status",
      text: renderText(this.o.catalog, v.language, {
        key,
        params: { caseId: v.caseId, ...params },
      }),
    });
  }

  private en(text: Text): Rendered {
    return renderText(this.o.catalog, "en", text);
  }
}
