import { TLP_LABELS, type TlpLabel } from "../policy/tlp.js";
import { CorruptStoredValue } from "./stored-json.js";
import type { ValueTransformer } from "typeorm";

/**
 * Times are stored as milliseconds since the epoch in a `bigint` column: the same type and the
 * same comparisons on SQLite and PostgreSQL, and no time-zone conversions. PostgreSQL returns
 * `bigint` as a string; this turns it back into a number (exact up to the year 285,616).
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** The first millisecond of a month (`YYYY-MM`, UTC): what a closed case keeps of its times. */
export function monthStart(month: string): number {
  const [year = 1970, number = 1] = month.split("-").map(Number);
  return Date.UTC(year, number - 1, 1);
}

/**
 * A TLP label column: read back as the label it is, or refused loudly (never taken as another
 * label, which could widen an audience). Null stays null where the column allows it.
 */
export const tlpLabelColumn: ValueTransformer = {
  to: (value: TlpLabel | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    if (!(TLP_LABELS as readonly string[]).includes(value))
      throw new CorruptStoredValue("a stored TLP label");
    return value as TlpLabel;
  },
};
