import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { DataSource } from "typeorm";
import { openDatabase, type DatabaseLocation } from "../../src/store/data-source.js";

/** A database made for one test, and how to throw it away. */
export interface TestDatabase {
  readonly location: DatabaseLocation;
  readonly kind: "sqlite" | "postgres";
  drop(): Promise<void>;
}

/**
 * The kinds of database the store tests run on: SQLite always, PostgreSQL when `DATABASE_URL`
 * names a server where the user may create databases (`.ci/run` starts one).
 */
export function databaseKinds(): ("sqlite" | "postgres")[] {
  return process.env.DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

/** An empty database of the given kind: a new SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(kind: "sqlite" | "postgres"): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const folder = await mkdtemp(join(tmpdir(), "dsx-db-"));
    return {
      kind,
      location: { type: "sqlite", path: join(folder, "dsx.sqlite") },
      drop: () => rm(folder, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  const name = `dsx_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    // A test's database need not survive a crash of the machine: commits need not wait for
    // the disk, which the bot's many small transactions would otherwise wait on one by one.
    await client.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    location: { type: "postgres", url: url.toString() },
    drop: () => dropDatabase(adminUrl, name),
  };
}

/**
 * Drops a test's database, ending the connections left to it. PostgreSQL 15 refuses `FORCE` to
 * a user who is not a superuser while an autovacuum worker is in the database ("must be a member
 * of the role whose process is being terminated"); the worker soon ends, so that is tried again.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE || attempt >= 50)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Gives each test of the calling `describe` a new database of `kind`, migrated and open (mocha
 * hooks), closed and thrown away after the test; `use` receives it before the test runs.
 */
export function eachTestDatabase(
  kind: "sqlite" | "postgres",
  use: (opened: { database: TestDatabase; dataSource: DataSource }) => void,
): void {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  beforeEach(async () => {
    database = await createTestDatabase(kind);
    dataSource = (await openDatabase(database.location)).dataSource;
    use({ database, dataSource });
  });
  afterEach(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });
}

/**
 * Cuts a test's PostgreSQL database off its server's clients, as a server going away does: its
 * open connections are ended and new ones refused (`too many connections`); or lets them in
 * again. The test's user owns the database, so neither needs a superuser.
 */
export async function cutOffPostgres(location: DatabaseLocation, cut: boolean): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (location.type !== "postgres" || !adminUrl) throw new Error("not a PostgreSQL database");
  const name = new URL(location.url).pathname.slice(1);
  await withAdmin(adminUrl, async (client) => {
    await client.query(`ALTER DATABASE ${name} CONNECTION LIMIT ${cut ? "0" : "-1"}`);
    if (cut)
      await client.query(
        // The user's own connections only: an autovacuum worker's cannot be ended by it.
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user",
        [name],
      );
  });
}

async function withAdmin(
  url: string,
  action: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await action(client);
  } finally {
    await client.end();
  }
}

/**
 * The database the tests' worlds (the bot as `npm start` runs it, the chat harness) use:
 * SQLite, or PostgreSQL when `DSX_TEST_DATABASE=postgres` (with `DATABASE_URL`): `npm test`
 * runs the integration tests a second time so when `DATABASE_URL` is set.
 */
export function worldDatabaseKind(): "sqlite" | "postgres" {
  return process.env.DSX_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";
}
