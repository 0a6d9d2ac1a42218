import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of dsx-bot's package.json: where `config/` (message catalogues, defaults) lives,
 * whether the code runs from `dist/` or from another build directory.
 */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "dsx-bot"
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`dsx-bot's package.json not found above ${from}`);
  }
}
