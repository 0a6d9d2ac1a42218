/** A month as statistics name it: `YYYY-MM`. */
export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `YYYY-MM`, or this month for nothing; undefined for anything else. */
export function monthOf(rest: string): string | undefined {
  const word = rest.trim();
  const month = word === "" ? new Date().toISOString().slice(0, 7) : word;
  return MONTH.test(month) ? month : undefined;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
