import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repositoryRoot } from "./paths.js";

/**
 * `npm run test:postgres`: the integration tests that run the bot or the chat harness, once
 * more, with their database on PostgreSQL (`DSX_TEST_DATABASE=postgres`), when `DATABASE_URL`
 * names a server where the user may create databases; without one, it says so and passes. The
 * others have no database of the bot's (the homeserver's tests), or already ran on both kinds
 * in the first pass (the store's tests, `databaseKinds`).
 */
if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === "") {
  process.stdout.write("PostgreSQL pass skipped: DATABASE_URL is not set\n");
  process.exit(0);
}
const build = fileURLToPath(new URL("../..", import.meta.url));
/** What a test file that runs a world imports (compiled). */
const USES_A_WORLD = /dsx-world\.js|chat-world\.js|seeded-cases\.js|worldDatabaseKind/;
const integration = join(build, "test", "integration");
const files = readdirSync(integration, { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".test.js"))
  .map((path) => join(integration, path))
  .filter((file) => USES_A_WORLD.test(readFileSync(file, "utf8")))
  .sort();
const result = spawnSync(
  process.execPath,
  [join(repositoryRoot, "node_modules", "mocha", "bin", "mocha.js"), ...files],
  { stdio: "inherit", env: { ...process.env, DSX_TEST_DATABASE: "postgres" } },
);
process.exit(result.status ?? 1);
