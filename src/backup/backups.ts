import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DataSource, EntityManager } from "typeorm";
import { SESSION_FILE } from "../matrix/session.js";
import { DURABLE_INDEXEDDB_FILE } from "../matrix/indexeddb/durable-indexeddb.js";
import type { Logger } from "../log/log.js";
import { RecurringJob } from "../schedule/recurring.js";
import { defineTask, type ScheduledTask, type Scheduler } from "../schedule/scheduler.js";
import { audit } from "../store/audit-log.js";
import { sealBackup, type BackupContents } from "./backup-file.js";
import { snapshotDatabase } from "./database-snapshot.js";

export const BACKUP_JOB = "backup.run";

/** The state directory's files a backup holds besides the database, by relative path. */
export const STORE_FILE = `e2ee/${DURABLE_INDEXEDDB_FILE}`;

/** `dsx-backup-2026-12-01T13-52-21-123Z.dsxb`: the time it was taken, in its name. */
const NAME = /^dsx-backup-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.dsxb$/;

export function backupName(at: number): string {
  return `dsx-backup-${new Date(at).toISOString().replace(/:/g, "-").replace(".", "-")}.dsxb`;
}

/** When a backup was taken, from its name (undefined for a file that is not a backup). */
export function backupTime(name: string): number | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const [, day, hours, minutes, seconds, millis] = match;
  return Date.parse(
    `${day ?? ""}T${hours ?? ""}:${minutes ?? ""}:${seconds ?? ""}.${millis ?? ""}Z`,
  );
}

export interface BackupsOptions {
  readonly dataSource: DataSource;
  readonly dataKey: Buffer;
  readonly stateDir: string;
  /** A consistent copy of the E2EE store's file (from the running bot, or read when stopped). */
  readonly copyStore: () => Buffer | Promise<Buffer>;
  readonly every: () => number;
  readonly keep: () => number;
  readonly jobs?: () => Pick<Scheduler, "schedule">;
  readonly log?: Logger;
}

/**
 * Encrypted backups in `<stateDir>/backups` (the Code of Practice: back-ups of sensitive
 * information only in encrypted formats, "kept there for a week before being purged"): the
 * database's rows, the E2EE store and the session, in one sealed file. A durable job makes one
 * every `policy.backups.every` and deletes those older than `policy.backups.keep`, audited; a
 * job that came due while the bot was down runs at start.
 */
export class Backups {
  readonly folder: string;
  private readonly recurring: RecurringJob;

  constructor(private readonly o: BackupsOptions) {
    this.folder = join(o.stateDir, "backups");
    this.recurring = new RecurringJob(BACKUP_JOB, o.every, () => o.jobs?.());
  }

  /** Takes a backup now; resolves with its path. Written whole, then renamed into place. */
  async create(now = Date.now()): Promise<string> {
    const database = await snapshotDatabase(this.o.dataSource);
    const files: Record<string, string> = {
      [STORE_FILE]: (await this.o.copyStore()).toString("base64"),
    };
    const session = await readOptional(join(this.o.stateDir, SESSION_FILE));
    if (session !== undefined) files[SESSION_FILE] = session.toString("base64");
    const contents: BackupContents = { format: 1, createdAt: now, ...database, files };
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const path = join(this.folder, backupName(now));
    await writeFile(`${path}.partial`, sealBackup(contents, this.o.dataKey), { mode: 0o600 });
    await rename(`${path}.partial`, path);
    return path;
  }

  /** Deletes the backups taken more than `keep` before `now`; resolves with their names. */
  async purge(now = Date.now()): Promise<string[]> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const old = names.filter((name) => {
      const at = backupTime(name);
      return at !== undefined && now - at > this.o.keep();
    });
    for (const name of old) await rm(join(this.folder, name), { force: true });
    // A backup cut short by a crash is never one to keep.
    for (const name of names.filter((n) => n.endsWith(".dsxb.partial")))
      await rm(join(this.folder, name), { force: true });
    return old.sort();
  }

  /** The backups there are, oldest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    return names.filter((name) => backupTime(name) !== undefined).sort();
  }

  /** The durable job: purge, back up, audit both, and schedule the next. */
  tasks(): ScheduledTask[] {
    return [
      defineTask({
        kind: BACKUP_JOB,
        prepare: async () => {
          const purged = await this.purge();
          const path = await this.create();
          const name = path.slice(this.folder.length + 1);
          this.o.log?.info("backup made", { file: name });
          if (purged.length > 0) this.o.log?.info("old backups removed", { count: purged.length });
          return { purged, name };
        },
        execute: async (job, manager, made: { purged: string[]; name: string }) => {
          for (const name of made.purged)
            await audit(manager, { actor: null, action: "backup.purged", outcome: name });
          await audit(manager, { actor: null, action: "backup.created", outcome: made.name });
          await this.recurring.scheduleNext(manager, job.dueAt);
        },
      }),
    ];
  }

  /** At start: a backup job is always pending (the first run schedules one now). */
  ensureScheduled(manager: EntityManager, now: number): Promise<void> {
    return this.recurring.ensurePending(manager, now);
  }
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
