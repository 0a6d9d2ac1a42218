import type { DataSource } from "typeorm";
import type { Inbox } from "../matrix/inbox.js";
import type { Outbox } from "../matrix/outbox.js";
import type { SyncWatch } from "../matrix/sync-watch.js";
import type { Scheduler } from "../schedule/scheduler.js";
import { storageUnavailable } from "../failures/storage-errors.js";
import type { BotProbe } from "./ops-endpoint.js";
import { readStoredCounts } from "./stored-counts.js";

/** How long the database may take to answer before the bot counts as not ready. */
const DATABASE_TIMEOUT_MS = 2000;

/** The running bot's answers to the ops endpoint. */
export function botProbe(parts: {
  dataSource: DataSource;
  sync: SyncWatch;
  inbox: Inbox;
  outbox: Outbox;
  scheduler: Scheduler;
}): BotProbe {
  const { dataSource, sync, inbox, outbox, scheduler } = parts;
  return {
    async readiness() {
      const database = await databaseAnswers(dataSource);
      const synced = sync.synced();
      return { ready: synced && database, checks: { sync: synced, database } };
    },
    async readings() {
      const memory = process.memoryUsage();
      return {
        eventsHandled: inbox.counts.handled,
        eventsFailed: inbox.counts.failed,
        sendsRefused: { ...outbox.refusedByLabel },
        jobsFired: scheduler.stats.fired,
        jobsFailed: scheduler.stats.failed,
        memory: { resident: memory.rss, heapUsed: memory.heapUsed, external: memory.external },
        // A database that does not answer shows in readiness; the other counts still answer.
        stored: await readStoredCounts(dataSource).catch((error: unknown) => {
          if (storageUnavailable(error) === undefined) throw error;
          return undefined;
        }),
      };
    },
  };
}

async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, DATABASE_TIMEOUT_MS);
  });
  try {
    const answered = dataSource.query("SELECT 1").then(
      () => true,
      () => false,
    );
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
