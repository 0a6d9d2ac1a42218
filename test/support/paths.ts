import { fileURLToPath } from "node:url";
import { packageRoot } from "../../src/config/package-root.js";

/** The repository root, whatever the build directory and working directory. */
export const repositoryRoot = packageRoot;

/** The compiled CLI of the same build as this file. */
export const compiledCli = fileURLToPath(new URL("../../src/cli.js", import.meta.url));
