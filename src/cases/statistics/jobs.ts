import type { EntityManager } from "typeorm";
import type { Text } from "../../chat/catalog.js";
import { lines, renderText } from "../../chat/render.js";
import { defineTask, payloadText, type ScheduledTask } from "../../schedule/scheduler.js";
import { statisticsText, type Speaker } from "./messages.js";
import { MONTH } from "./rules.js";
import type { StatisticsOptions } from "./statistics.js";
import { countMonth, pendingJobs } from "./statistics-store.js";

/** The monthly post to the donor room (payload: `month`, the month it is about). */
export const MONTHLY_JOB = "statistics.monthly";

/** The monthly post: last month's statistics to the donor room, then the next month's job. */
export function statisticsTasks(o: StatisticsOptions): ScheduledTask[] {
  return [
    defineTask({
      kind: MONTHLY_JOB,
      prepare: () => Promise.resolve(undefined),
      execute: async (job, manager) => {
        const roomId = o.donorsRoomId();
        const month = payloadText(job, "month");
        if (roomId !== undefined && MONTH.test(month)) {
          const language = o.donorsLanguage();
          const speaker: Speaker = {
            language,
            catalog: o.catalog,
            text: (text: Text) => renderText(o.catalog, language, text),
          };
          await o.say(manager, roomId, {
            label: "GREEN",
            step: "stats",
            text: lines([
              speaker.text({ key: "stats.monthly" }),
              statisticsText(speaker, month, await countMonth(manager, month), o.minimumCount()),
            ]),
          });
        }
        await scheduleMonthly(o, manager, job.dueAt);
      },
    }),
  ];
}

/** At start: a monthly post is always due some time (the first run schedules it). */
export async function ensureMonthly(
  o: StatisticsOptions,
  manager: EntityManager,
  now: number,
): Promise<void> {
  if ((await pendingJobs(manager, MONTHLY_JOB)) === 0) await scheduleMonthly(o, manager, now);
}

/** The post for the month `after` falls in, due when the next month starts (UTC). */
async function scheduleMonthly(
  o: StatisticsOptions,
  manager: EntityManager,
  after: number,
): Promise<void> {
  const at = new Date(after);
  const month = at.toISOString().slice(0, 7);
  const dueAt = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  await o.jobs().schedule(manager, { kind: MONTHLY_JOB, dueAt, payload: { month } });
}
