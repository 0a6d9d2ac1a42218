import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

/** The first bytes of every backup file: what it is and the version of its format. */
const MAGIC = Buffer.from("DSXBAK01", "ascii");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What a backup holds: the database's rows and the state directory's files. */
export interface BackupContents {
  readonly format: 1;
  /** When the snapshot was taken (ms since the epoch). */
  readonly createdAt: number;
  /** The migrations the database had, oldest first. */
  readonly migrations: readonly string[];
  /** Every table's rows, as the database returned them. */
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** Files of the state directory by relative path (the E2EE store, the session), base64. */
  readonly files: Readonly<Record<string, string>>;
}

/** A backup that does not open: altered, cut short, or sealed with another data key. */
export class BackupIntegrityError extends Error {
  constructor(reason: string) {
    super(`the backup cannot be trusted: ${reason}`);
    this.name = "BackupIntegrityError";
  }
}

/** The backups' own key, derived from the data key (one key, one purpose). */
function backupKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "dsx-bot backup v1", 32));
}

/**
 * Seals a backup: gzip'd JSON encrypted with AES-256-GCM under a key derived from `dataKey`, a
 * fresh nonce, and the format marker bound as associated data. Sensitive columns inside stay
 * sealed as they are in the database: the backup is encrypted twice over where it matters.
 */
export function sealBackup(contents: BackupContents, dataKey: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", backupKey(dataKey), nonce);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([
    cipher.update(gzipSync(Buffer.from(JSON.stringify(contents), "utf8"))),
    cipher.final(),
  ]);
  return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
}

/** Opens a sealed backup, or throws BackupIntegrityError when any byte of it was changed. */
export function openBackup(sealed: Buffer, dataKey: Buffer): BackupContents {
  if (sealed.length < MAGIC.length + NONCE_BYTES + TAG_BYTES)
    throw new BackupIntegrityError("the file is too short to be a backup");
  if (!sealed.subarray(0, MAGIC.length).equals(MAGIC))
    throw new BackupIntegrityError("the file is not a dsx-bot backup");
  const nonce = sealed.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
  const body = sealed.subarray(MAGIC.length + NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", backupKey(dataKey), nonce);
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new BackupIntegrityError("it was altered, or sealed with another data key");
  }
  const contents = JSON.parse(gunzipSync(plain).toString("utf8")) as { format?: unknown };
  if (contents.format !== 1) throw new BackupIntegrityError("unknown backup format");
  return contents as BackupContents;
}
