// Loaded by mocha before any test file (see .mocharc.json).
import "reflect-metadata";
import "../../src/matrix/polyfills.js";
import type { Context } from "mocha";
import { DsxWorld } from "./bot/dsx-world.js";

/** How much of a bot's log a failed test shows (logs carry no message bodies or case details). */
const LOG_LINES_SHOWN = 120;

/**
 * Root hooks: a failed test that ran the bot shows the end of the bot's log, so that a failure
 * seen only in CI can be understood from CI's output.
 */
export const mochaHooks = {
  beforeEach(): void {
    // Worlds stopped since (in an `after` hook) are not this test's.
    DsxWorld.dropStopped();
  },
  afterEach(this: Context): void {
    const worlds = [...DsxWorld.inUse];
    DsxWorld.dropStopped();
    if (this.currentTest?.state !== "failed") return;
    for (const world of worlds) {
      const lines = world.logs.split("\n").filter((line) => line.trim() !== "");
      process.stderr.write(
        `--- the last ${LOG_LINES_SHOWN} lines of the bot's log (${lines.length} in all) ---\n` +
          lines.slice(-LOG_LINES_SHOWN).join("\n") +
          "\n---\n",
      );
    }
  },
};
