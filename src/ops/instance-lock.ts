import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Sqlite, type SqliteDatabase } from "../store/sqlite.js";

/** Held while a bot runs on the state directory; the operating system frees it if the process dies. */
export const LOCK_FILE = "dsx-bot.lock";
/** The running bot's process ID, for `kill -HUP` (npm does not pass SIGHUP on). */
export const PID_FILE = "dsx-bot.pid";

/** Another bot is running on the state directory; the message names it and what to do. */
export class InstanceRunningError extends Error {
  override name = "InstanceRunningError";
}

/** The claim of one running bot on its state directory; `release()` when it stops. */
export interface InstanceLock {
  release(): Promise<void>;
}

/**
 * Claims the state directory for this process, before the bot logs in or opens anything in it:
 * two bots on one device would interleave its encryption keys and sync position. The lock is
 * SQLite's exclusive file lock (as the E2EE store's), which no stale file can leave behind.
 */
export async function claimStateDir(stateDir: string): Promise<InstanceLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const db = new Sqlite(join(stateDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // A write takes the exclusive lock, and in this mode it is kept until the file is closed.
    db.exec("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at INTEGER); COMMIT");
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code !== "SQLITE_BUSY") throw error;
    throw new InstanceRunningError(await describeHolder(stateDir));
  }
  const pidFile = join(stateDir, PID_FILE);
  await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
  return {
    async release() {
      await rm(pidFile, { force: true });
      closeQuietly(db);
    },
  };
}

async function describeHolder(stateDir: string): Promise<string> {
  const pid = await readFile(join(stateDir, PID_FILE), "utf8").then(
    (text) => /^\d+$/.exec(text.trim())?.[0],
    () => undefined,
  );
  const who = pid === undefined ? "another dsx-bot" : `another dsx-bot (pid ${pid})`;
  return (
    `${who} is running on the state directory ${stateDir}: ` +
    "stop it first, or give this bot its own bot.stateDir"
  );
}

function closeQuietly(db: SqliteDatabase): void {
  if (db.open) db.close();
}
