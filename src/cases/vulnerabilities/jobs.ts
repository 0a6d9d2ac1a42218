import type { EntityManager } from "typeorm";
import { renderText } from "../../chat/render.js";
import { spokenDuration } from "../../chat/spoken-duration.js";
import { defineTask, type ScheduledTask } from "../../schedule/scheduler.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { languageOf } from "../../store/people.js";
import { noticeText, time } from "./messages.js";
import {
  deadlineOf,
  deadlineTime,
  isFinished,
  plan,
  scheduleState,
  type Deadline,
} from "./rules.js";
import type { VulnerabilityServices } from "./services.js";

/** The notice to the affected party's contacts (step 1). */
const NOTIFY_JOB = "vuln.notify";
/** A reminder before a deadline (payload: `deadline`). */
const REMINDER_JOB = "vuln.reminder";
/** A deadline of the schedule (payload: `deadline`). */
const DEADLINE_JOB = "vuln.deadline";

/** A job that fires later than this after its time says so ("late"). */
const LATE_AFTER_MS = 1000;

/**
 * The durable tasks of a case: the notice, whose direct rooms are found before its
 * transaction, the reminders, and each deadline as it passes.
 */
export function vulnerabilityTasks(s: VulnerabilityServices): ScheduledTask[] {
  return [
    defineTask({
      kind: NOTIFY_JOB,
      prepare: async (job) => {
        const v = await s.o.store.get(s.o.dataSource.manager, job.caseId ?? "");
        const rooms = new Map<string, string>();
        for (const contact of v ? s.o.store.contacts(v) : [])
          rooms.set(contact.userId, await s.o.rooms.directRoomWith(contact.userId));
        return rooms;
      },
      execute: (job, manager, rooms: Map<string, string>) => notify(s, job, manager, rooms),
    }),
    { kind: REMINDER_JOB, execute: (job, manager) => remind(s, job, manager) },
    { kind: DEADLINE_JOB, execute: (job, manager) => deadlinePassed(s, job, manager) },
  ];
}

/** Step 1 goes now: the notice to the case's contacts. */
export async function scheduleNotice(
  s: VulnerabilityServices,
  manager: EntityManager,
  caseId: string,
  now: number,
): Promise<void> {
  await s.o.jobs().schedule(manager, { kind: NOTIFY_JOB, dueAt: now, caseId });
}

/** Cancels the case's pending jobs and schedules what its deadlines now call for. */
export async function replan(
  s: VulnerabilityServices,
  manager: EntityManager,
  v: Vulnerability,
): Promise<void> {
  const jobs = s.o.jobs();
  await jobs.cancel(manager, v.caseId, REMINDER_JOB);
  await jobs.cancel(manager, v.caseId, DEADLINE_JOB);
  const fired = new Map<Deadline, number>();
  for (const job of await s.o.store.firedJobs(manager, v.caseId, DEADLINE_JOB)) {
    const deadline = deadlineOf(job);
    if (deadline) fired.set(deadline, Math.max(fired.get(deadline) ?? 0, job.dueAt));
  }
  for (const job of plan(scheduleState(v), s.o.policy(), Date.now(), fired))
    await jobs.schedule(manager, {
      kind: job.kind === "reminder" ? REMINDER_JOB : DEADLINE_JOB,
      dueAt: job.dueAt,
      caseId: v.caseId,
      payload: { deadline: job.deadline },
    });
}

/** Step 1: the affected party's contacts get the report in their direct rooms. */
async function notify(
  s: VulnerabilityServices,
  job: ScheduledJob,
  manager: EntityManager,
  rooms: Map<string, string>,
): Promise<void> {
  const { store } = s.o;
  const v = await store.get(manager, job.caseId ?? "");
  if (!v || isFinished(v)) return;
  await store.recordContacts(
    manager,
    v,
    [...rooms].map(([userId, roomId]) => ({ userId, roomId })),
  );
  const reporter = store.open(v, "reporter");
  const credit = store.open(v, "credit");
  const notice = {
    caseId: v.caseId,
    severity: v.severity,
    description: store.open(v, "description"),
    evidence: store.open(v, "evidence"),
    respondBy: v.respondBy,
    discloseAfter: s.o.policy().discloseAfter,
    // The reporter's name and contact go to the affected party only if they agreed.
    contact: v.shareContact ? (credit === "" ? reporter : `${credit} (${reporter})`) : undefined,
  };
  for (const [userId, roomId] of rooms)
    await s.o.say(manager, roomId, {
      label: "AMBER",
      caseId: v.caseId,
      step: "notice",
      text: noticeText(s.o.catalog, await languageOf(manager, userId), notice),
    });
  await s.tellReporter(manager, v, "vuln.reporterNotified");
}

/** The case and deadline a reminder or deadline job is for, while the case is still open. */
async function openDeadline(
  s: VulnerabilityServices,
  job: ScheduledJob,
  manager: EntityManager,
): Promise<{ v: Vulnerability; deadline: Deadline } | undefined> {
  const v = await s.o.store.get(manager, job.caseId ?? "");
  const deadline = deadlineOf(job);
  if (!v || isFinished(v) || deadline === undefined) return undefined;
  return { v, deadline };
}

async function remind(
  s: VulnerabilityServices,
  job: ScheduledJob,
  manager: EntityManager,
): Promise<void> {
  const due = await openDeadline(s, job, manager);
  if (due === undefined) return;
  const { v, deadline } = due;
  const at = deadlineTime(v, deadline);
  // A reminder the bot was down for, of a deadline gone by meanwhile, would ask for what can
  // no longer be done in time: the deadline's own message says it passed, and when.
  if (at === null || at <= Date.now()) return;
  const params = { caseId: v.caseId, deadline, due: time(at) };
  // Step 3 waits for the DSX team's review: the reminder before it says so while it does.
  const waits = deadline === "disclose" && v.reviewedAt === null;
  await s.tellTriage(manager, "GREEN", "reminder", {
    key: waits ? "vuln.reminderTriageReview" : "vuln.reminderTriage",
    params,
  });
  for (const contact of s.o.store.contacts(v)) {
    if (contact.roomId === null) continue;
    const language = await languageOf(manager, contact.userId);
    await s.o.say(manager, contact.roomId, {
      label: "GREEN",
      caseId: v.caseId,
      step: "reminder",
      text: renderText(s.o.catalog, language, { key: `vuln.reminder_${deadline}`, params }),
    });
  }
}

async function deadlinePassed(
  s: VulnerabilityServices,
  job: ScheduledJob,
  manager: EntityManager,
): Promise<void> {
  const due = await openDeadline(s, job, manager);
  if (due === undefined) return;
  const { v, deadline } = due;
  const late =
    Date.now() - job.dueAt > LATE_AFTER_MS
      ? s.inRoom("triage", { key: "vuln.late", params: { due: time(job.dueAt) } }).plain
      : "";
  const caseId = v.caseId;
  if (deadline === "respond") {
    if (v.answeredAt !== null) return;
    await s.tellTriage(manager, "GREEN", "deadline", {
      key: "vuln.noAnswer",
      params: { caseId, late },
    });
  } else if (deadline === "escalate") {
    if (v.answeredAt !== null) return;
    const providers = s.o
      .directory()
      .withRole("provider")
      .map((p) => p.name ?? p.id);
    await s.tellTriage(manager, "GREEN", "escalation", {
      key: "vuln.escalation",
      params: {
        caseId,
        late,
        providers: providers.join(", ") || "—",
        // The time since the notice, as this case's schedule has it (an extension moves it).
        waited: spokenDuration(s.o.catalog, s.o.roomLanguage("triage"), job.dueAt - v.notifiedAt),
      },
    });
  } else {
    await s.disclose(manager, v, late);
  }
}
