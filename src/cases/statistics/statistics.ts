import type { EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import type { Catalog } from "../../chat/catalog.js";
import type { Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import type { ScheduledTask, Scheduler } from "../../schedule/scheduler.js";
import { statisticsCommands } from "./commands.js";
import { ensureMonthly, statisticsTasks } from "./jobs.js";
import { statisticsCsv, statisticsText, type Speaker } from "./messages.js";
import type { MonthCounts } from "./statistics-store.js";

/** The bot's parts the statistics act through. */
export interface StatisticsOptions {
  readonly catalog: Catalog;
  /** Below this a count is "fewer than N" (`policy.statistics.minimumCount`). */
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
 * DSX team. Counts only; below `statistics.minimumCount` a count is "fewer than N". This wires
 * its parts together; `commands.ts` lists its commands and `jobs.ts` its durable task.
 */
export class Statistics {
  constructor(private readonly o: StatisticsOptions) {}

  chatModule(): ChatModule {
    return { commands: statisticsCommands(this.o) };
  }

  tasks(): ScheduledTask[] {
    return statisticsTasks(this.o);
  }

  /** At start: a monthly post is always due some time (the first run schedules it). */
  ensureMonthly(manager: EntityManager, now: number): Promise<void> {
    return ensureMonthly(this.o, manager, now);
  }

  /** A month's statistics as donors read them. */
  text(speaker: Speaker, month: string, counts: MonthCounts): Rendered {
    return statisticsText(speaker, month, counts, this.o.minimumCount());
  }

  /** A month's statistics as CSV, for the DSX team. */
  csv(month: string, counts: MonthCounts): string {
    return statisticsCsv(month, counts, this.o.minimumCount());
  }
}
