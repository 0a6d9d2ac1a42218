import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repositoryRoot } from "./paths.js";

/**
 * `npm run test:postgres`: the integration tests once more, with the bot's (and the chat
 * harness's) database on PostgreSQL (`DSX_TEST_DATABASE=postgres`), when `DATABASE_URL` names a
 * server where the user may create databases; without one, it says so and passes.
 */
if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === "") {
  process.stdout.write("PostgreSQL pass skipped: DATABASE_URL is not set\n");
  process.exit(0);
}
const build = fileURLToPath(new URL("../..", import.meta.url));
const result = spawnSync(
  process.execPath,
  [
    join(repositoryRoot, "node_modules", "mocha", "bin", "mocha.js"),
    join(build, "test", "integration", "**", "*.test.js"),
  ],
  { stdio: "inherit", env: { ...process.env, DSX_TEST_DATABASE: "postgres" } },
);
process.exit(result.status ?? 1);
