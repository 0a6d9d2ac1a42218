import { IsNull, type EntityManager } from "typeorm";
import { Alert } from "../../store/entities/alert.js";
import { Incident } from "../../store/entities/incident.js";
import { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";

/** Counts of one month: what donors may see, and nothing that names anyone. */
export interface MonthCounts {
  readonly incidentsByType: ReadonlyMap<string, number>;
  readonly vulnerabilitiesByStage: ReadonlyMap<string, number>;
  /** Hours from report to a provider's accepting, of the month's matched incidents. */
  readonly hoursToMatch: readonly number[];
  /** Hours from report to closing, of the month's closed incidents. */
  readonly hoursToClose: readonly number[];
  readonly alertsSent: number;
}

/**
 * Counts the cases opened in a month (`YYYY-MM`) and the alerts sent in it. Only the columns
 * counted are read: statistics never load a case's details.
 */
export async function countMonth(manager: EntityManager, month: string): Promise<MonthCounts> {
  const incidentsByType = new Map<string, number>();
  const hoursToMatch: number[] = [];
  const hoursToClose: number[] = [];
  for (const incident of await manager.find(Incident, {
    select: {
      type: true,
      createdAt: true,
      matchedAt: true,
      hoursToMatch: true,
      hoursToClose: true,
    },
    where: { openedMonth: month },
  })) {
    incidentsByType.set(incident.type, (incidentsByType.get(incident.type) ?? 0) + 1);
    const match =
      incident.hoursToMatch ??
      (incident.matchedAt === null ? null : (incident.matchedAt - incident.createdAt) / 3_600_000);
    if (match !== null) hoursToMatch.push(match);
    if (incident.hoursToClose !== null) hoursToClose.push(incident.hoursToClose);
  }
  const vulnerabilitiesByStage = new Map<string, number>();
  for (const v of await manager.find(Vulnerability, { select: { state: true, notifiedAt: true } }))
    if (new Date(v.notifiedAt).toISOString().slice(0, 7) === month)
      vulnerabilitiesByStage.set(v.state, (vulnerabilitiesByStage.get(v.state) ?? 0) + 1);
  const alertsSent = await manager.countBy(Alert, { kind: "community", postedMonth: month });
  return { incidentsByType, vulnerabilitiesByStage, hoursToMatch, hoursToClose, alertsSent };
}

/** How many jobs of this kind wait to fire. */
export function pendingJobs(manager: EntityManager, kind: string): Promise<number> {
  return manager.countBy(ScheduledJob, { kind, firedAt: IsNull() });
}
