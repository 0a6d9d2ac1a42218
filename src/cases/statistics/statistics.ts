import type { EntityManager } from "typeorm";
import type { ChatContext } from "../../chat/context.js";
import { lines, type Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import { Incident } from "../../store/entities/incident.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";

/** Counts of one month: incidents opened by type, vulnerability cases by stage. */
export interface MonthCounts {
  readonly incidentsByType: ReadonlyMap<string, number>;
  readonly vulnerabilitiesByStage: ReadonlyMap<string, number>;
}

/** Counts the cases opened in a month (`YYYY-MM`); numbers only, nothing that names anyone. */
export async function countMonth(manager: EntityManager, month: string): Promise<MonthCounts> {
  const incidentsByType = new Map<string, number>();
  for (const { type } of await manager.find(Incident, {
    select: { type: true },
    where: { openedMonth: month },
  }))
    incidentsByType.set(type, (incidentsByType.get(type) ?? 0) + 1);
  const vulnerabilitiesByStage = new Map<string, number>();
  for (const v of await manager.find(Vulnerability, { select: { state: true, notifiedAt: true } }))
    if (new Date(v.notifiedAt).toISOString().slice(0, 7) === month)
      vulnerabilitiesByStage.set(v.state, (vulnerabilitiesByStage.get(v.state) ?? 0) + 1);
  return { incidentsByType, vulnerabilitiesByStage };
}

/** A count as donors see it: small counts hidden, since they could point to someone. */
export function shownCount(context: Pick<ChatContext, "text">, count: number, minimum: number) {
  return count < minimum
    ? context.text({ key: "stats.fewerThan", params: { minimum } }).plain
    : String(count);
}

/**
 * Donor statistics (Information Handling Policy: donors see "quantitative project monitoring
 * data such as number of incidents dealt with"): `!dsx stats [YYYY-MM]` in the donor room.
 */
export function statisticsModule(minimumCount: () => number): ChatModule {
  return {
    commands: [
      {
        words: ["stats"],
        rooms: ["donors"],
        summary: "stats.command",
        run: async (context, rest) => {
          const word = rest.trim();
          const month = word === "" ? new Date().toISOString().slice(0, 7) : word;
          if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
            context.reply({ label: "WHITE", text: context.text({ key: "stats.usage" }) });
            return;
          }
          const counts = await countMonth(context.manager, month);
          context.reply({
            label: "GREEN",
            step: "stats",
            text: statisticsText(context, month, counts, minimumCount()),
          });
        },
      },
    ],
  };
}

export function statisticsText(
  context: Pick<ChatContext, "text" | "catalog" | "language">,
  month: string,
  counts: MonthCounts,
  minimum: number,
): Rendered {
  const named = (prefix: string, key: string) =>
    context.catalog.hasKey(context.language, `${prefix}.${key}`)
      ? context.text({ key: `${prefix}.${key}` }).plain
      : key;
  const list = (entries: ReadonlyMap<string, number>, prefix: string) =>
    [...entries]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => `${named(prefix, key)}: ${shownCount(context, count, minimum)}`)
      .join(", ") || context.text({ key: "stats.none" }).plain;
  const total = (entries: ReadonlyMap<string, number>) =>
    shownCount(
      context,
      [...entries.values()].reduce((a, b) => a + b, 0),
      minimum,
    );
  return lines([
    context.text({ key: "stats.header", params: { month } }),
    context.text({
      key: "stats.incidents",
      params: {
        total: total(counts.incidentsByType),
        list: list(counts.incidentsByType, "incidentType"),
      },
    }),
    context.text({
      key: "stats.vulnerabilities",
      params: {
        total: total(counts.vulnerabilitiesByStage),
        list: list(counts.vulnerabilitiesByStage, "vulnState"),
      },
    }),
  ]);
}
