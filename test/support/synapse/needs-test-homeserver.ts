import type { Context } from "mocha";
import { onSynapse } from "./synapse-homeserver.js";

/**
 * Skips the running test on Synapse (`npm run test:synapse`): it uses a hook only the project's
 * homeserver has (`why` says which), and says so in the test's output.
 */
export function needsTestHomeserver(test: Context, why: string): void {
  if (!onSynapse()) return;
  process.stdout.write(`      skipped on Synapse: ${why}\n`);
  test.skip();
}
