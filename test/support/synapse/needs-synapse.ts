import type { Context } from "mocha";
import { onSynapse } from "./synapse-homeserver.js";

/**
 * Skips the running test (or, from a `before` hook, its whole suite) unless the tests run on
 * Synapse (`npm run test:synapse`): it needs what only Synapse has (`why` says what), and says
 * so in the test's output.
 */
export function needsSynapse(test: Context, why: string): void {
  if (onSynapse()) return;
  process.stdout.write(`      skipped on the project's homeserver: ${why}\n`);
  test.skip();
}
