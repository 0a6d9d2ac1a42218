// Loaded by mocha before any test file (see .mocharc.json).
import "reflect-metadata";
import "../../src/matrix/polyfills.js";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Context } from "mocha";
import { DsxWorld } from "./bot/dsx-world.js";

/** How much of a bot's log a failed test shows (logs carry no message bodies or case details). */
const LOG_LINES_SHOWN = 120;
/** How much of it the failure's own message carries (mocha repeats it in the final summary). */
const LOG_LINES_IN_FAILURE = 25;

/**
 * Root hooks: a failed test that ran the bot shows the end of the bot's log, so that a failure
 * seen only in CI can be understood from CI's output.
 */
/** The test process's event-loop delay during each test: the clients and the test homeserver share it. */
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

export const mochaHooks = {
  beforeEach(): void {
    // Worlds stopped since (in an `after` hook) are not this test's.
    DsxWorld.dropStopped();
    loopDelay.reset();
  },
  afterEach(this: Context): void {
    const worlds = [...DsxWorld.inUse];
    DsxWorld.dropStopped();
    const test = this.currentTest;
    if (test?.state !== "failed") return;
    // A slow test process (load, a leak) shows here, not as a bug of the bot.
    const memory = process.memoryUsage();
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    const ms = (ns: number) => Math.round(ns / 1e6);
    const processLine =
      `test process: event-loop delay max ${ms(loopDelay.max)} ms, p99 ${ms(loopDelay.percentile(99))} ms; ` +
      `rss ${mib(memory.rss)} MiB, heap ${mib(memory.heapUsed)} MiB; worlds in use ${worlds.length}`;
    const tails = worlds.map((world) => {
      const lines = world.logs.split("\n").filter((line) => line.trim() !== "");
      process.stderr.write(
        `--- the last ${LOG_LINES_SHOWN} lines of the bot's log (${lines.length} in all) ---\n` +
          lines.slice(-LOG_LINES_SHOWN).join("\n") +
          "\n---\n",
      );
      return lines.slice(-LOG_LINES_IN_FAILURE).join("\n");
    });
    // Mocha's summary of failures (at the end of the run, where CI's excerpt is) shows this too:
    // it prints the stack's lines before its first frame as the message.
    const error = (test as { err?: Error }).err;
    if (error?.stack !== undefined) {
      const added = [
        `--- ${processLine} ---`,
        ...tails.map((t) => `--- the bot's log, end ---\n${t}`),
      ];
      const lines = error.stack.split("\n");
      const firstFrame = lines.findIndex((line) => /^\s+at\s/.test(line));
      lines.splice(firstFrame === -1 ? lines.length : firstFrame, 0, ...added);
      error.stack = lines.join("\n");
    }
  },
};
