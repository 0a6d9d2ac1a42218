import type { Catalog } from "./catalog.js";
import { renderText } from "./render.js";

const UNITS: readonly (readonly [number, string])[] = [
  [7 * 86_400_000, "week"],
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
];

/**
 * A duration as a person says it, in their language: the largest unit that measures it exactly
 * ("3 weeks", "10 days", "an hour"), else in seconds. What the bot says of a period comes from
 * the policy this way, never from words written into a message ("two weeks").
 */
export function spokenDuration(catalog: Catalog, language: string, ms: number): string {
  const [size, unit] = UNITS.find(([size]) => ms >= size && ms % size === 0) ?? [1000, "second"];
  const n = Math.max(1, Math.round(ms / size));
  const key = n === 1 ? `duration.${unit}` : `duration.${unit}s`;
  return renderText(catalog, language, { key, params: { n } }).plain;
}
