import "reflect-metadata";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource } from "typeorm";
import { migrations } from "../../migrations/index.js";
import type { BotConfig } from "../config/schema.js";
import { entities } from "./entities/index.js";
import { Sqlite } from "./sqlite.js";

/** Where the database is: a SQLite file (the embedded default) or a PostgreSQL URL. */
export type DatabaseLocation = { type: "sqlite"; path: string } | { type: "postgres"; url: string };

/** The database location of a loaded configuration (paths are already absolute). */
export function databaseLocation(config: BotConfig): DatabaseLocation {
  const db = config.database;
  return db.type === "sqlite" ? { type: "sqlite", path: db.path ?? ":memory:" } : db;
}

/**
 * A TypeORM data source for the bot's database. The schema comes only from `migrations/`
 * (never `synchronize`). SQLite runs in WAL mode with full fsync, because a handled event that
 * is recorded must still be recorded after a power cut.
 */
export function createDataSource(location: DatabaseLocation): DataSource {
  if (location.type === "postgres") {
    return new DataSource({
      type: "postgres",
      url: location.url,
      entities,
      migrations,
      synchronize: false,
      migrationsRun: false,
      logging: false,
      connectTimeoutMS: 10_000,
    });
  }
  if (location.path !== ":memory:") mkdirSync(dirname(location.path), { recursive: true });
  return new DataSource({
    type: "better-sqlite3",
    driver: Sqlite,
    database: location.path,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    enableWAL: true,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      // Deleted case details must not linger in free pages of the file (Retention).
      db.pragma("secure_delete = ON");
    },
  });
}

/** Opens the data source and applies pending migrations; returns the names applied. */
export async function openDatabase(
  location: DatabaseLocation,
): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createDataSource(location);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: "each" });
    return { dataSource, applied: applied.map((m) => m.name) };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
