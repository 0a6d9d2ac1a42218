import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: the nearest folder above this compiled file whose package.json is
 * dsx-bot's, so that tests work from any build directory and any working directory.
 */
export const repositoryRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The compiled CLI of the same build as this file. */
export const compiledCli = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "dsx-bot"
    ) {
      return dir;
    }
    if (dirname(dir) === dir) return resolve(from, "../../..");
  }
}
