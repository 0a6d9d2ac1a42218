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
