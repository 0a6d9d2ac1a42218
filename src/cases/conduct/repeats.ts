import { Not, type EntityManager } from "typeorm";
import { ConductReport } from "../../store/entities/conduct-report.js";

/**
 * How many other people reported the same person before: distinct reporters, not reports, so
 * that one account filing report after report does not make someone look reported by many.
 * `others` are the reporter hashes of the other reports about them; a report made before the
 * hash was kept (null) counts as a reporter of its own.
 */
export function otherReporters(others: readonly (string | null)[], mine: string | null): number {
  const known = new Set(others.filter((hash): hash is string => hash !== null && hash !== mine));
  return known.size + others.filter((hash) => hash === null).length;
}

/** {@link otherReporters} of a report, from the stored reports about the same person. */
export async function otherReportersOf(
  manager: EntityManager,
  report: ConductReport,
): Promise<number> {
  if (report.namedHash === null) return 0;
  const others = await manager.find(ConductReport, {
    select: { reporterHash: true },
    where: { namedHash: report.namedHash, caseId: Not(report.caseId) },
  });
  return otherReporters(
    others.map((other) => other.reporterHash),
    report.reporterHash,
  );
}
