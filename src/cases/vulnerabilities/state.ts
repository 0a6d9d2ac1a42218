import { payloadText } from "../../schedule/scheduler.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { DEADLINES, type Deadline, type ScheduleState } from "./schedule.js";

/** Fixed, or at step 3 (waiting for review, or disclosed): no deadline applies any more. */
export function isFinished(v: Vulnerability): boolean {
  return ["fixed", "awaiting-review", "disclosed", "published"].includes(v.state);
}

/** What the schedule plans from, read off a case. */
export function scheduleState(v: Vulnerability): ScheduleState {
  return {
    answered: v.answeredAt !== null,
    respondBy: v.respondBy,
    escalateAt: v.state === "escalated" ? null : v.escalateAt,
    discloseAt: v.discloseAt,
    // An unconfirmed contact has not been notified: its deadlines start at the confirmation.
    finished: isFinished(v) || v.state === "unconfirmed",
  };
}

/** When a deadline of a case falls (null when it no longer applies). */
export function deadlineTime(v: Vulnerability, deadline: Deadline): number | null {
  return deadline === "respond"
    ? v.respondBy
    : deadline === "escalate"
      ? v.escalateAt
      : v.discloseAt;
}

/** The deadline a reminder or deadline job is about. */
export function deadlineOf(job: ScheduledJob): Deadline | undefined {
  const deadline = payloadText(job, "deadline");
  return (DEADLINES as readonly string[]).includes(deadline) ? (deadline as Deadline) : undefined;
}

/** A time as the messages show it: `2026-11-22 16:05:09 UTC`. */
export function time(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}
