import type { EntityManager } from "typeorm";

export const CASE_KINDS = ["INC", "VUL", "COC", "ALR"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/**
 * Gives out the next case id of a kind for the year of `at`, e.g. `INC-2026-0001`, within the
 * caller's transaction. One atomic insert-or-increment (the same SQL on SQLite and PostgreSQL), so
 * two transactions never get the same number, and a number is never reused, also after the case
 * is closed and its details deleted.
 */
export async function nextCaseId(
  manager: EntityManager,
  kind: CaseKind,
  at: Date,
): Promise<string> {
  const year = at.getUTCFullYear();
  const postgres = manager.dataSource.options.type === "postgres";
  const [kindParam, yearParam] = postgres ? ["$1", "$2"] : ["?", "?"];
  const rows = await manager.query<{ lastNumber: number | string }[]>(
    `INSERT INTO case_counter (kind, year, "lastNumber") VALUES (${kindParam}, ${yearParam}, 1)
     ON CONFLICT (kind, year) DO UPDATE SET "lastNumber" = case_counter."lastNumber" + 1
     RETURNING "lastNumber"`,
    [kind, year],
  );
  const number = Number(rows[0]?.lastNumber);
  if (!Number.isInteger(number) || number < 1) throw new Error("case counter returned no number");
  return formatCaseId(kind, year, number);
}

export function formatCaseId(kind: CaseKind, year: number, number: number): string {
  return `${kind}-${year}-${String(number).padStart(4, "0")}`;
}

/** Reads `INC-2026-0001` (any letter case); undefined for anything else. */
export function parseCaseId(
  text: string,
): { kind: CaseKind; year: number; number: number; id: string } | undefined {
  const match = /^(INC|VUL|COC|ALR)-(\d{4})-(\d{4,9})$/i.exec(text.trim());
  if (!match) return undefined;
  const kind = (match[1] ?? "").toUpperCase() as CaseKind;
  const year = Number(match[2]);
  const number = Number(match[3]);
  if (number < 1) return undefined;
  return { kind, year, number, id: formatCaseId(kind, year, number) };
}
