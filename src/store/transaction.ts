import type { DataSource, EntityManager } from "typeorm";

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a database transaction, one at a time per data source. SQLite has one
 * connection, on which TypeORM cannot open a second transaction while one is open ("cannot start
 * a transaction within a transaction"): events of different rooms are handled concurrently, so
 * every write the bot makes goes through here. (PostgreSQL would allow more; the bot's
 * transactions take milliseconds, and one order is simpler to reason about.)
 */
export function transaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const run = previous.then(() => dataSource.transaction(work));
  queues.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}
