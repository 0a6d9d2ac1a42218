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
