import type { EntityManager } from "typeorm";
import type { Text } from "../../chat/catalog.js";
import { lines, quoted, renderText } from "../../chat/render.js";
import { spokenDuration } from "../../chat/spoken-duration.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import { defineTask } from "../../schedule/scheduler.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { languageOf } from "../../store/people.js";
import { deadlineOf, deadlineTime, isFinished, time } from "./state.js";
import { DEADLINE_JOB, NOTIFY_JOB, REMINDER_JOB, type VulnerabilityServices } from "./services.js";

/** A job that fires later than this after its time says so ("late"). */
const LATE_AFTER_MS = 1000;

/** The scheduled steps of a case: the notice, the reminders, and each deadline as it passes. */
export class DisclosureJobs {
  constructor(private readonly s: VulnerabilityServices) {}

  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: NOTIFY_JOB,
        prepare: async (job) => {
          const v = await this.s.o.store.get(this.s.o.dataSource.manager, job.caseId ?? "");
          const rooms = new Map<string, string>();
          for (const contact of v ? this.s.o.store.contacts(v) : [])
            rooms.set(contact.userId, await this.s.o.rooms.directRoomWith(contact.userId));
          return rooms;
        },
        execute: (job, manager, rooms: Map<string, string>) => this.notify(job, manager, rooms),
      }),
      { kind: REMINDER_JOB, execute: (job, manager) => this.remind(job, manager) },
      { kind: DEADLINE_JOB, execute: (job, manager) => this.deadline(job, manager) },
    ];
  }

  /** Step 1: the affected party's contacts get the report in their direct rooms. */
  private async notify(job: ScheduledJob, manager: EntityManager, rooms: Map<string, string>) {
    const v = await this.s.o.store.get(manager, job.caseId ?? "");
    if (!v || isFinished(v)) return;
    await this.s.o.store.update(manager, v, {
      contacts: JSON.stringify([...rooms].map(([userId, roomId]) => ({ userId, roomId }))),
    });
    const reporter = this.s.o.store.open(v, "reporter");
    const credit = this.s.o.store.open(v, "credit");
    for (const [userId, roomId] of rooms) {
      const language = await languageOf(manager, userId);
      const t = (text: Text) => renderText(this.s.o.catalog, language, text);
      await this.s.o.say(manager, roomId, {
        label: "AMBER",
        caseId: v.caseId,
        step: "notice",
        // The reporter's words are quoted as theirs, so that none of them passes as DSX's.
        text: lines([
          t({
            key: "vuln.notice",
            params: { caseId: v.caseId, severity: t({ key: `urgency.${v.severity}` }).plain },
          }),
          t({ key: "vuln.noticeReporterWrote" }),
          quoted(this.s.o.store.open(v, "description")),
          t({ key: "vuln.noticeEvidence" }),
          quoted(this.s.o.store.open(v, "evidence")),
          t({
            key: "vuln.noticeRespond",
            params: {
              caseId: v.caseId,
              due: time(v.respondBy),
              disclosure: spokenDuration(
                this.s.o.catalog,
                language,
                this.s.o.policy().discloseAfter,
              ),
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
    await this.s.tellReporter(manager, v, "vuln.reporterNotified");
  }

  private async remind(job: ScheduledJob, manager: EntityManager): Promise<void> {
    const v = await this.s.o.store.get(manager, job.caseId ?? "");
    const deadline = deadlineOf(job);
    if (!v || isFinished(v) || deadline === undefined) return;
    const at = deadlineTime(v, deadline);
    // A reminder the bot was down for, of a deadline gone by meanwhile, would ask for what can
    // no longer be done in time: the deadline's own message says it passed, and when.
    if (at === null || at <= Date.now()) return;
    const params = { caseId: v.caseId, deadline, due: time(at) };
    // Step 3 waits for the DSX team's review: the reminder before it says so while it does.
    const waits = deadline === "disclose" && v.reviewedAt === null;
    await this.s.tellTriage(manager, "GREEN", "reminder", {
      key: waits ? "vuln.reminderTriageReview" : "vuln.reminderTriage",
      params,
    });
    for (const contact of this.s.o.store.contacts(v)) {
      if (contact.roomId === null) continue;
      const language = await languageOf(manager, contact.userId);
      await this.s.o.say(manager, contact.roomId, {
        label: "GREEN",
        caseId: v.caseId,
        step: "reminder",
        text: renderText(this.s.o.catalog, language, { key: `vuln.reminder_${deadline}`, params }),
      });
    }
  }

  private async deadline(job: ScheduledJob, manager: EntityManager): Promise<void> {
    const v = await this.s.o.store.get(manager, job.caseId ?? "");
    const deadline = deadlineOf(job);
    if (!v || isFinished(v) || deadline === undefined) return;
    const late =
      Date.now() - job.dueAt > LATE_AFTER_MS
        ? this.s.inRoom("triage", { key: "vuln.late", params: { due: time(job.dueAt) } }).plain
        : "";
    const caseId = v.caseId;
    if (deadline === "respond") {
      if (v.answeredAt !== null) return;
      await this.s.tellTriage(manager, "GREEN", "deadline", {
        key: "vuln.noAnswer",
        params: { caseId, late },
      });
    } else if (deadline === "escalate") {
      if (v.answeredAt !== null) return;
      const providers = this.s.o
        .directory()
        .withRole("provider")
        .map((p) => p.name ?? p.id);
      await this.s.tellTriage(manager, "GREEN", "escalation", {
        key: "vuln.escalation",
        params: {
          caseId,
          late,
          providers: providers.join(", ") || "—",
          // The time since the notice, as this case's schedule has it (an extension moves it).
          waited: spokenDuration(
            this.s.o.catalog,
            this.s.o.roomLanguage("triage"),
            job.dueAt - v.notifiedAt,
          ),
        },
      });
    } else {
      await this.s.disclose(manager, v, late);
    }
  }
}
