import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_NAME = "dsx-bot";

/**
 * The repository root: the nearest folder above this module holding dsx-bot's package.json.
 * Walking up (rather than a fixed `../..`) keeps this right whether the module runs from
 * `dist/`, `.build/NAME/` or is loaded as TypeScript.
 */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readPackageName(manifest) === PROJECT_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${PROJECT_NAME} package.json above ${import.meta.url}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): unknown {
  const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
  return typeof parsed === "object" && parsed !== null && "name" in parsed
    ? parsed.name
    : undefined;
}

/**
 * Where the Matrix specification checkout is: `MATRIX_SPEC_DIR` if set, else
 * `../shared/matrix-spec` beside the repository. The folder is read at test time, never
 * copied into the project.
 */
export function matrixSpecDir(): string {
  const fromEnv = process.env.MATRIX_SPEC_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  return resolve(repositoryRoot(), "..", "shared", "matrix-spec");
}

/** Why the spec cannot be used (to print before skipping a test), or undefined if it can. */
export function matrixSpecUnavailableReason(specDir = matrixSpecDir()): string | undefined {
  const clientServer = join(specDir, "data", "api", "client-server");
  if (existsSync(clientServer)) return undefined;
  return `Matrix spec not found at ${specDir} (no data/api/client-server); set MATRIX_SPEC_DIR to a matrix-spec checkout`;
}
