import type { EntityManager } from "typeorm";

/** The kinds of case, as the prefix of their ids: incident, vulnerability, conduct, alert. */
export const CASE_KINDS = ["INC", "VUL", "COC", "ALR"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** A case id taken apart; `id` is its canonical spelling. */
export interface CaseId {
  readonly kind: CaseKind;
  readonly year: number;
  readonly number: number;
  readonly id: string;
}

/**
 * Gives out the next case id of a kind for the (UTC) year of `at`, e.g. `INC-2026-0001`, within
 * the caller's transaction. One atomic insert-or-increment (the same SQL on SQLite and
 * PostgreSQL): on PostgreSQL a concurrent transaction waits on the counter row's lock until this
 * one ends, and SQLite lets one writer in at a time, so two transactions never get the same
 * number. The counter lives apart from the cases, so a number is never given again, also after
 * its case is closed and deleted; only a rolled-back transaction's number is.
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

/** `INC-2026-0001`: the number has at least four digits, more when needed (`INC-2026-10000`). */
export function formatCaseId(kind: CaseKind, year: number, number: number): string {
  return `${kind}-${year}-${String(number).padStart(4, "0")}`;
}

/**
 * Reads a case id as {@link formatCaseId} writes it, in any letter case (`inc-2026-0001`);
 * undefined for anything else, also for spellings that are not canonical (`INC-2026-00001`,
 * `INC-2026-0000`, surrounding spaces), so one case has exactly one id.
 */
export function parseCaseId(text: string): CaseId | undefined {
  const match = /^(INC|VUL|COC|ALR)-([1-9]\d{3})-(\d{4,9})$/i.exec(text);
  if (!match) return undefined;
  const kind = (match[1] ?? "").toUpperCase() as CaseKind;
  const year = Number(match[2]);
  const number = Number(match[3]);
  const id = formatCaseId(kind, year, number);
  if (number < 1 || id !== text.toUpperCase()) return undefined;
  return { kind, year, number, id };
}
