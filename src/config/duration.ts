/**
 * ISO-8601 durations as the configuration uses them (`P7D`, `PT5S`, `P1W`, `PT1H30M`,
 * `PT0.5S`). Years and months are refused: their length varies, and a disclosure deadline
 * must mean the same number of days for everyone.
 */
const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = [7 * 24 * 3600_000, 24 * 3600_000, 3600_000, 60_000, 1000] as const;

/** A parsed duration: the text it came from and its length in milliseconds. */
export interface Duration {
  readonly iso: string;
  readonly ms: number;
}

/** Parses an ISO-8601 duration; returns an explanation instead when the text is not one. */
export function parseDuration(text: string): Duration | { error: string } {
  const trimmed = text.trim().toUpperCase();
  if (/^P.*\d+(?:\.\d+)?Y|^P[^T]*\d+(?:\.\d+)?M/.test(trimmed)) {
    return { error: "years and months have no fixed length: use weeks (W) or days (D)" };
  }
  const match = DURATION.exec(trimmed);
  if (!match || trimmed === "P" || trimmed.endsWith("T")) {
    return { error: "expected an ISO-8601 duration such as P7D, PT12H or PT5S" };
  }
  const ms = UNIT_MS.reduce((sum, unit, i) => {
    const part = match[i + 1];
    return part === undefined ? sum : sum + Number(part) * unit;
  }, 0);
  if (!Number.isFinite(ms)) return { error: "the duration is too long" };
  return { iso: trimmed, ms: Math.round(ms) };
}

/** Formats milliseconds as a short ISO-8601 duration (days, hours, minutes, seconds). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "PT0S";
  const days = Math.floor(ms / UNIT_MS[1]);
  let rest = ms - days * UNIT_MS[1];
  const hours = Math.floor(rest / UNIT_MS[2]);
  rest -= hours * UNIT_MS[2];
  const minutes = Math.floor(rest / UNIT_MS[3]);
  rest -= minutes * UNIT_MS[3];
  const seconds = rest / 1000;
  const date = days > 0 ? `${days}D` : "";
  const time =
    (hours > 0 ? `${hours}H` : "") +
    (minutes > 0 ? `${minutes}M` : "") +
    (seconds > 0 ? `${seconds}S` : "");
  return `P${date}${time ? `T${time}` : ""}`;
}
