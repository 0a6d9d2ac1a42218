import type { EntityManager } from "typeorm";
import { IsNull } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import type { Catalog, Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { lines, renderText, verbatim, type Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import { defineTask, payloadText, type ScheduledTask } from "../../schedule/scheduler.js";
import type { Scheduler } from "../../schedule/scheduler.js";
import { Alert } from "../../store/entities/alert.js";
import { Incident } from "../../store/entities/incident.js";
import { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";
import { suppress } from "./suppression.js";

/** Counts of one month: what donors may see, and nothing that names anyone. */
export interface MonthCounts {
  readonly incidentsByType: ReadonlyMap<string, number>;
  readonly vulnerabilitiesByStage: ReadonlyMap<string, number>;
  /** Hours from report to a provider's accepting, of the month's matched incidents. */
  readonly hoursToMatch: readonly number[];
  /** Hours from report to closing, of the month's closed incidents. */
  readonly hoursToClose: readonly number[];
  readonly alertsSent: number;
}

export const MONTHLY_JOB = "statistics.monthly";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Counts the cases opened in a month (`YYYY-MM`) and the alerts sent in it. */
export async function countMonth(manager: EntityManager, month: string): Promise<MonthCounts> {
  const incidentsByType = new Map<string, number>();
  const hoursToMatch: number[] = [];
  const hoursToClose: number[] = [];
  for (const incident of await manager.find(Incident, {
    select: {
      type: true,
      createdAt: true,
      matchedAt: true,
      hoursToMatch: true,
      hoursToClose: true,
    },
    where: { openedMonth: month },
  })) {
    incidentsByType.set(incident.type, (incidentsByType.get(incident.type) ?? 0) + 1);
    const match =
      incident.hoursToMatch ??
      (incident.matchedAt === null ? null : (incident.matchedAt - incident.createdAt) / 3_600_000);
    if (match !== null) hoursToMatch.push(match);
    if (incident.hoursToClose !== null) hoursToClose.push(incident.hoursToClose);
  }
  const vulnerabilitiesByStage = new Map<string, number>();
  for (const v of await manager.find(Vulnerability, { select: { state: true, notifiedAt: true } }))
    if (new Date(v.notifiedAt).toISOString().slice(0, 7) === month)
      vulnerabilitiesByStage.set(v.state, (vulnerabilitiesByStage.get(v.state) ?? 0) + 1);
  const alertsSent = await manager.countBy(Alert, { kind: "community", postedMonth: month });
  return { incidentsByType, vulnerabilitiesByStage, hoursToMatch, hoursToClose, alertsSent };
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

/** What renders a statistics text: a catalogue and a language. */
type Speaker = Pick<ChatContext, "text" | "catalog" | "language">;

/** A count as donors see it: small counts hidden, since they could point to someone. */
export function shownCount(speaker: Pick<Speaker, "text">, count: number, minimum: number) {
  return count < minimum
    ? speaker.text({ key: "stats.fewerThan", params: { minimum } }).plain
    : String(count);
}

export interface StatisticsOptions {
  readonly catalog: Catalog;
  readonly minimumCount: () => number;
  readonly donorsRoomId: () => string | undefined;
  readonly donorsLanguage: () => string;
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule">;
}

/**
 * Donor statistics (Information Handling Policy: donors see "quantitative project monitoring
 * data such as number of incidents dealt with"): `!dsx stats [YYYY-MM]` in the donor room, a
 * post there at the start of each month about the month before, and `!dsx stats-csv` for the
 * DSX team. Counts only; below `statistics.minimumCount` a count is "fewer than N".
 */
export class Statistics {
  constructor(private readonly o: StatisticsOptions) {}

  chatModule(): ChatModule {
    return {
      commands: [
        {
          words: ["stats"],
          rooms: ["donors"],
          summary: "stats.command",
          run: async (context, rest) => {
            const month = monthOf(rest);
            if (month === undefined) {
              context.reply({ label: "WHITE", text: context.text({ key: "stats.usage" }) });
              return;
            }
            context.reply({
              label: "GREEN",
              step: "stats",
              text: this.text(context, month, await countMonth(context.manager, month)),
            });
          },
        },
        {
          words: ["stats-csv"],
          rooms: ["triage"],
          summary: "stats.csvCommand",
          allowed: (context) => context.directory.isDsxTeam(context.inbound.sender),
          run: async (context, rest) => {
            const month = monthOf(rest);
            if (month === undefined) {
              context.reply({ label: "WHITE", text: context.text({ key: "stats.usage" }) });
              return;
            }
            const csv = this.csv(month, await countMonth(context.manager, month));
            context.reply({
              label: "GREEN",
              step: "stats",
              text: { plain: csv, html: `<pre><code>${verbatim(csv).html}</code></pre>` },
            });
          },
        },
      ],
    };
  }

  /** The monthly post: last month's statistics to the donor room, then the next month's job. */
  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: MONTHLY_JOB,
        prepare: () => Promise.resolve(undefined),
        execute: async (job, manager) => {
          const roomId = this.o.donorsRoomId();
          const month = payloadText(job, "month");
          if (roomId !== undefined && MONTH.test(month)) {
            const language = this.o.donorsLanguage();
            const speaker: Speaker = {
              language,
              catalog: this.o.catalog,
              text: (text: Text) => renderText(this.o.catalog, language, text),
            };
            await this.o.say(manager, roomId, {
              label: "GREEN",
              step: "stats",
              text: lines([
                speaker.text({ key: "stats.monthly" }),
                this.text(speaker, month, await countMonth(manager, month)),
              ]),
            });
          }
          await this.scheduleMonthly(manager, job.dueAt);
        },
      }),
    ];
  }

  /** At start: a monthly post is always due some time (the first run schedules it). */
  async ensureMonthly(manager: EntityManager, now: number): Promise<void> {
    const pending = await manager.countBy(ScheduledJob, { kind: MONTHLY_JOB, firedAt: IsNull() });
    if (pending === 0) await this.scheduleMonthly(manager, now);
  }

  /** The post for the month `after` falls in, due when the next month starts (UTC). */
  private async scheduleMonthly(manager: EntityManager, after: number): Promise<void> {
    const at = new Date(after);
    const month = at.toISOString().slice(0, 7);
    const dueAt = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    await this.o.jobs().schedule(manager, { kind: MONTHLY_JOB, dueAt, payload: { month } });
  }

  text(speaker: Speaker, month: string, counts: MonthCounts): Rendered {
    const minimum = this.o.minimumCount();
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
  csv(month: string, counts: MonthCounts): string {
    const minimum = this.o.minimumCount();
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
}

/** `YYYY-MM`, or this month for nothing; undefined for anything else. */
function monthOf(rest: string): string | undefined {
  const word = rest.trim();
  const month = word === "" ? new Date().toISOString().slice(0, 7) : word;
  return MONTH.test(month) ? month : undefined;
}
