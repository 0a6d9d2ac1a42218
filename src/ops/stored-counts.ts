import { In, IsNull, LessThanOrEqual, Not, type DataSource } from "typeorm";
import { ConductReport } from "../store/entities/conduct-report.js";
import { Incident } from "../store/entities/incident.js";
import { ScheduledJob } from "../store/entities/scheduled-job.js";
import { UndecryptableEvent } from "../store/entities/undecryptable-event.js";
import { Vulnerability } from "../store/entities/vulnerability.js";
import type { StoredCounts } from "./bot-metrics.js";

/** The readings that come from the database: counted, never read out. */
export async function readStoredCounts(
  dataSource: DataSource,
  now: number = Date.now(),
): Promise<StoredCounts> {
  const [incident, vulnerability, conduct, oldestDue, undecryptableWaiting] = await Promise.all([
    dataSource.getRepository(Incident).countBy({ state: Not("closed") }),
    // A vulnerability is open while its disclosure schedule runs.
    dataSource
      .getRepository(Vulnerability)
      .countBy({ state: Not(In(["fixed", "disclosed", "published"])) }),
    dataSource.getRepository(ConductReport).countBy({ state: "open" }),
    dataSource.getRepository(ScheduledJob).findOne({
      where: { firedAt: IsNull(), dueAt: LessThanOrEqual(now) },
      order: { dueAt: "ASC" },
      select: { id: true, dueAt: true },
    }),
    dataSource.getRepository(UndecryptableEvent).count(),
  ]);
  return {
    openCases: { incident, vulnerability, conduct },
    scheduleLagSeconds: oldestDue === null ? 0 : Math.max(0, now - oldestDue.dueAt) / 1000,
    undecryptableWaiting,
  };
}
