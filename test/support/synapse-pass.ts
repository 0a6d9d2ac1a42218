import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repositoryRoot } from "./paths.js";
import { synapseSetupScript } from "./synapse/synapse-homeserver.js";

/**
 * `npm run test:synapse`: the conversation tests against a real Synapse 1.67, one per test world
 * (`DSX_TEST_HOMESERVER=synapse`), prepared by `shared/synapse/setup.sh` (which needs
 * `SYNAPSE_SRC` the first time, to build its venv). Tests that need the project's homeserver's
 * hooks say so and are skipped; the federated conversations (`bot/federation.test.js`, two
 * Synapses by `shared/synapse/federation.sh`) run only here. Extra arguments name other test files.
 */
const script = synapseSetupScript();
if (!existsSync(script)) {
  process.stderr.write(`Synapse pass: no set-up script at ${script} (set DSX_SYNAPSE_SETUP)\n`);
  process.exit(1);
}
const build = fileURLToPath(new URL("../..", import.meta.url));
const given = process.argv.slice(2);
const files =
  given.length > 0
    ? given
    : [
        join(build, "test", "integration", "bot", "*.test.js"),
        join(build, "test", "integration", "faults", "kill.test.js"),
        join(build, "test", "integration", "matrix", "attachments.test.js"),
      ];
const result = spawnSync(
  process.execPath,
  [
    join(repositoryRoot, "node_modules", "mocha", "bin", "mocha.js"),
    "--timeout",
    "60000",
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, DSX_TEST_HOMESERVER: "synapse" } },
);
process.exit(result.status ?? 1);
