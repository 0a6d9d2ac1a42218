import type { ChatContext } from "../../chat/context.js";
import { lines, type Rendered } from "../../chat/render.js";
import { median } from "./rules.js";
import type { MonthCounts } from "./statistics-store.js";
import { suppress } from "./suppression.js";

/** What renders a statistics text: a catalogue and a language. */
export type Speaker = Pick<ChatContext, "text" | "catalog" | "language">;

/** A count as donors see it: small counts hidden, since they could point to someone. */
export function shownCount(speaker: Pick<Speaker, "text">, count: number, minimum: number) {
  return count < minimum
    ? speaker.text({ key: "stats.fewerThan", params: { minimum } }).plain
    : String(count);
}

/** A month's statistics as donors read them; a count below `minimum` is "fewer than N". */
export function statisticsText(
  speaker: Speaker,
  month: string,
  counts: MonthCounts,
  minimum: number,
): Rendered {
  const named = (prefix: string, key: string) =>
    speaker.catalog.hasKey(speaker.language, `${prefix}.${key}`)
      ? speaker.text({ key: `${prefix}.${key}` }).plain
      : key;
  const hiddenMark = speaker.text({ key: "stats.hidden" }).plain;
  const list = (entries: ReadonlyMap<string, number>, prefix: string) => {
    const { hidden, wholeHidden } = suppress(entries, minimum);
    if (wholeHidden) return hiddenMark;
    return (
      [...entries]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${named(prefix, key)}: ${hidden.has(key) ? hiddenMark : count}`)
        .join(", ") || speaker.text({ key: "stats.none" }).plain
    );
  };
  const total = (entries: ReadonlyMap<string, number>) =>
    shownCount(
      speaker,
      [...entries.values()].reduce((a, b) => a + b, 0),
      minimum,
    );
  // A median of a few cases would tell of those cases: shown from `minimum` cases on.
  const time = (key: string, hours: readonly number[]) =>
    speaker.text({
      key,
      params: {
        value:
          hours.length < minimum
            ? speaker.text({ key: "stats.tooFew", params: { minimum } }).plain
            : speaker.text({ key: "stats.hours", params: { hours: Math.round(median(hours)) } })
                .plain,
      },
    });
  return lines([
    speaker.text({ key: "stats.header", params: { month } }),
    speaker.text({
      key: "stats.incidents",
      params: {
        total: total(counts.incidentsByType),
        list: list(counts.incidentsByType, "incidentType"),
      },
    }),
    time("stats.matchTime", counts.hoursToMatch),
    time("stats.closeTime", counts.hoursToClose),
    speaker.text({
      key: "stats.vulnerabilities",
      params: {
        total: total(counts.vulnerabilitiesByStage),
        list: list(counts.vulnerabilitiesByStage, "vulnState"),
      },
    }),
    speaker.text({
      key: "stats.alerts",
      params: { count: shownCount(speaker, counts.alertsSent, minimum) },
    }),
  ]);
}

/**
 * The month as CSV (`month,measure,category,value`): a lone small count as `<N`, a breakdown's
 * hidden cells as `hidden` (a whole hidden breakdown as one row without a category).
 */
export function statisticsCsv(month: string, counts: MonthCounts, minimum: number): string {
  const value = (count: number) => (count < minimum ? `<${String(minimum)}` : String(count));
  const rows = [["month", "measure", "category", "value"]];
  const breakdown = (measure: string, cells: ReadonlyMap<string, number>) => {
    const { hidden, wholeHidden } = suppress(cells, minimum);
    if (wholeHidden) rows.push([month, measure, "", "hidden"]);
    else
      for (const [category, count] of [...cells].sort())
        rows.push([month, measure, category, hidden.has(category) ? "hidden" : String(count)]);
  };
  breakdown("incidents", counts.incidentsByType);
  breakdown("vulnerabilities", counts.vulnerabilitiesByStage);
  const hours = (values: readonly number[]) =>
    values.length < minimum ? "" : String(Math.round(median(values)));
  rows.push([month, "median-hours-to-match", "", hours(counts.hoursToMatch)]);
  rows.push([month, "median-hours-to-close", "", hours(counts.hoursToClose)]);
  rows.push([month, "alerts", "", value(counts.alertsSent)]);
  return rows.map((row) => row.join(",")).join("\n");
}
