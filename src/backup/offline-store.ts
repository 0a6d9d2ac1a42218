import { join } from "node:path";
import { Sqlite } from "../store/sqlite.js";
import { STORE_FILE } from "./backups.js";

/** The E2EE store is held by a running bot (it locks its file while open). */
export class StoreBusyError extends Error {
  constructor() {
    super("the E2EE store is in use: the bot is running");
    this.name = "StoreBusyError";
  }
}

/**
 * A consistent copy of the E2EE store's file while the bot is stopped (the running bot copies
 * its own store). Throws StoreBusyError while the bot holds it.
 */
export function copyStoppedStore(stateDir: string): Buffer {
  const db = new Sqlite(join(stateDir, STORE_FILE), { fileMustExist: true, timeout: 500 });
  try {
    // A read first: while the bot holds its exclusive lock this fails with SQLITE_BUSY, where
    // `serialize` alone fails with a bare "Out of memory" that says nothing of the lock.
    db.exec("BEGIN");
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    return db.serialize();
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY") === true)
      throw new StoreBusyError();
    throw error;
  } finally {
    db.close();
  }
}
