import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DataSource } from "typeorm";
import { openBackup, type BackupContents } from "./backup-file.js";
import { isDatabaseEmpty, restoreDatabase } from "./database-snapshot.js";
import { exists } from "./file-exists.js";
import { STORE_FILE } from "./backups.js";
import { writeRestoreMarker } from "./restore-marker.js";

/** Why a backup was not restored (nothing was changed). */
export class RestoreRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "RestoreRefused";
  }
}

/**
 * Restores a backup into an empty state directory and an empty database: the file is checked
 * whole first (a changed byte, or another data key, and nothing is written); then the E2EE store
 * and the session go back into the state directory, and the rows into the database; a marker
 * tells the next start that it resumes from a backup (see `Inbox`, `afterRestore`).
 */
export async function restoreBackup(options: {
  readonly file: string;
  readonly dataKey: Buffer;
  readonly stateDir: string;
  readonly dataSource: DataSource;
}): Promise<BackupContents> {
  const contents = openBackup(await readFile(options.file), options.dataKey);
  for (const path of Object.keys(contents.files)) {
    if (await exists(join(options.stateDir, path)))
      throw new RestoreRefused(
        `the state directory is not empty (${path} exists): restore into an empty one`,
      );
  }
  if (!(await isDatabaseEmpty(options.dataSource)))
    throw new RestoreRefused("the database is not empty: restore into an empty one");
  if (contents.files[STORE_FILE] === undefined)
    throw new RestoreRefused("the backup holds no E2EE store");
  await restoreDatabase(options.dataSource, contents);
  for (const [path, base64] of Object.entries(contents.files)) {
    const target = join(options.stateDir, path);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, Buffer.from(base64, "base64"), { mode: 0o600 });
  }
  await writeRestoreMarker(options.stateDir, { backupCreatedAt: contents.createdAt });
  return contents;
}
