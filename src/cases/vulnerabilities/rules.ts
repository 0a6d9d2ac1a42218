import { payloadText } from "../../schedule/scheduler.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";

/**
 * The most time one `need-time` or `!dsx extend` adds: a year. Without a bound an extension such
 * as `P99999999D` moved the deadline past the last date JavaScript can represent, and showing it
 * threw (the person got "something went wrong" and the extension was lost).
 */
export const MAX_EXTENSION_DAYS = 365;

/** The durations of the disclosure policy (`policy.disclosure`), in milliseconds. */
export interface DisclosurePolicy {
  readonly respondWithin: number;
  readonly escalateAfter: number;
  readonly discloseAfter: number;
  readonly remindBefore: number;
}

/** The three deadlines of the schedule (Code of Practice, steps 1–3). */
export type Deadline = "respond" | "escalate" | "disclose";

export const DEADLINES: readonly Deadline[] = ["respond", "escalate", "disclose"];

/** What the plan needs of a case: its deadlines, and which still apply. */
export interface ScheduleState {
  readonly answered: boolean;
  readonly respondBy: number;
  /** Null once escalation is paused (the party cooperates) or done. */
  readonly escalateAt: number | null;
  readonly discloseAt: number;
  /** Fixed or disclosed: nothing is due any more. */
  readonly finished: boolean;
}

/** A job of the plan: a reminder before a deadline, or the deadline itself. */
export interface PlannedJob {
  readonly kind: "reminder" | "deadline";
  readonly deadline: Deadline;
  readonly dueAt: number;
}

/** The deadlines of a case notified at `notifiedAt`. */
export function deadlinesFrom(notifiedAt: number, policy: DisclosurePolicy) {
  return {
    respondBy: notifiedAt + policy.respondWithin,
    escalateAt: notifiedAt + policy.escalateAfter,
    discloseAt: notifiedAt + policy.discloseAfter,
  };
}

/**
 * The jobs still to come for a case, in due order: for each deadline that applies, a reminder
 * `remindBefore` it (when that is still ahead) and the deadline. A deadline already past is
 * kept (its job fires at once, marked late) unless it has fired: `fired` gives, per deadline,
 * the time its job that fired was due; only a deadline moved beyond that is planned again.
 */
export function plan(
  state: ScheduleState,
  policy: DisclosurePolicy,
  now: number,
  fired: ReadonlyMap<Deadline, number> = new Map(),
): PlannedJob[] {
  if (state.finished) return [];
  const times: [Deadline, number | null][] = [
    ["respond", state.answered ? null : state.respondBy],
    ["escalate", state.answered ? null : state.escalateAt],
    ["disclose", state.discloseAt],
  ];
  const jobs: PlannedJob[] = [];
  for (const [deadline, at] of times) {
    const firedFor = fired.get(deadline);
    if (at === null || (firedFor !== undefined && at <= firedFor)) continue;
    const remindAt = at - policy.remindBefore;
    if (policy.remindBefore > 0 && remindAt > now)
      jobs.push({ kind: "reminder", deadline, dueAt: remindAt });
    jobs.push({ kind: "deadline", deadline, dueAt: at });
  }
  return jobs.sort((a, b) => a.dueAt - b.dueAt);
}

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
