import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A file `dsx-bot restore` leaves in the state directory: the next start catches up from the
 * backup's time, and must not answer again what the bot answered after the backup was made.
 */
const MARKER = "restored-from-backup.json";

export interface RestoreMarker {
  /** When the restored backup was made (ms since the epoch). */
  readonly backupCreatedAt: number;
  /** The restored device, once the bot is moving to a new one (see `moveToNewDevice`). */
  readonly formerDeviceId?: string;
  /** Set once the move to the new device is done. */
  readonly moved?: boolean;
}

export async function writeRestoreMarker(stateDir: string, marker: RestoreMarker): Promise<void> {
  await writeFile(join(stateDir, MARKER), JSON.stringify(marker), { mode: 0o600 });
}

/** The marker of a restore the bot has not yet caught up after, if there is one. */
export async function readRestoreMarker(stateDir: string): Promise<RestoreMarker | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, MARKER), "utf8")) as RestoreMarker;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Once caught up: later starts handle every event as usual. */
export async function clearRestoreMarker(stateDir: string): Promise<void> {
  await rm(join(stateDir, MARKER), { force: true });
}
