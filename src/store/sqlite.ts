import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split(".")[0]);

/**
 * The SQLite binding for this Node version. better-sqlite3 12 wraps its objects in a way that
 * Node 24 aborts on during garbage collection (`RemoveEnvironmentCleanupHook`: `env != nullptr`),
 * which version 13 (Node-API, prebuilt in the package) fixes; 13 in turn needs Node 22. So Node
 * 20 uses 12 (`better-sqlite3`) and Node 22+ uses 13 (`better-sqlite3-napi`). Same API.
 */
export const Sqlite = (
  nodeMajor >= 22 ? require("better-sqlite3-napi") : require("better-sqlite3")
) as typeof BetterSqlite3;

/** A database handle of {@link Sqlite}. */
export type SqliteDatabase = BetterSqlite3.Database;
