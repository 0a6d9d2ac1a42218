import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../../src/config/package-root.js";

/** The repository root, whatever the build directory and working directory. */
export const repositoryRoot = packageRoot;

/** The compiled CLI of the same build as this file. */
export const compiledCli = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

/**
 * The node flags `npm start` runs the bot with (package.json's `start` script), so that the
 * tests and the benchmark run it as users do.
 */
export const startNodeFlags: readonly string[] = (() => {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  // `exec`: the shell npm runs the script in is replaced by node, so npm's signals reach the bot.
  const words = manifest.scripts.start.split(/\s+/);
  const cli = words.findIndex((word) => word.endsWith("cli.js"));
  if (words[0] !== "exec" || words[1] !== "node" || cli < 0)
    throw new Error(`package.json's start script is not "exec node [flags] …/cli.js start"`);
  return words.slice(2, cli);
})();
