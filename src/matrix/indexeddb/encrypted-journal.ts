import { randomBytes } from "node:crypto";
import { Sqlite, type SqliteDatabase } from "../../store/sqlite.js";
import {
  defaultKeyDerivation,
  RowAuthenticationError,
  RowCipher,
  type KeyDerivation,
} from "./row-cipher.js";

/** Thrown at open when the passphrase does not match the one the file was created with. */
export class WrongPassphraseError extends Error {
  constructor(path: string) {
    super(`the passphrase does not open the durable IndexedDB store ${path}`);
    this.name = "WrongPassphraseError";
  }
}

/** Thrown at open when another process holds the store. */
export class StoreInUseError extends Error {
  constructor(path: string, options: ErrorOptions) {
    super(`the durable IndexedDB store ${path} is in use by another process`, options);
    this.name = "StoreInUseError";
  }
}

const FORMAT = "dsx-idb-1";
const PASSPHRASE_CHECK = "dsx-bot durable IndexedDB";

interface SnapshotPosition {
  generation: number;
  /** The last journal row id the snapshot includes. */
  coveredJournalId: number;
}

/**
 * The SQLite file behind the durable IndexedDB: a journal of encrypted rows, one per committed
 * transaction, and an encrypted snapshot that covers the journal up to some row. WAL with
 * `synchronous=FULL`, so a row is on disk when `append` returns; the file is locked exclusively
 * while open, so two processes never interleave journals.
 */
export class EncryptedJournal {
  private lastJournalId: number;
  private journalRowsSinceSnapshot: number;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly cipher: RowCipher,
    private snapshot: SnapshotPosition,
  ) {
    const row = db.prepare("SELECT MAX(id) AS id, COUNT(*) AS n FROM journal").get() as {
      id: number | null;
      n: number;
    };
    this.lastJournalId = Math.max(row.id ?? 0, snapshot.coveredJournalId);
    this.journalRowsSinceSnapshot = row.n;
  }

  /** Opens (or creates) the file; the key derivation applies only to a new file. */
  static async open(
    path: string,
    passphrase: string,
    derivationForNewFile: KeyDerivation = defaultKeyDerivation,
  ): Promise<EncryptedJournal> {
    const db = new Sqlite(path, { timeout: 2_000 });
    try {
      try {
        db.pragma("locking_mode = EXCLUSIVE");
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = FULL");
        // Takes the exclusive lock now, rather than at the first write.
        db.exec("BEGIN IMMEDIATE; COMMIT");
      } catch (error) {
        if (isBusy(error)) throw new StoreInUseError(path, { cause: error });
        throw error;
      }
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS snapshot (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL);
      `);
      const meta = readMeta(db);
      const salt = meta.get("salt");
      if (salt === undefined) {
        const newSalt = randomBytes(16);
        const cipher = await RowCipher.derive(passphrase, newSalt, derivationForNewFile);
        const snapshot = { generation: 0, coveredJournalId: 0 };
        const insert = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
        db.transaction(() => {
          insert.run("format", Buffer.from(FORMAT));
          insert.run("salt", newSalt);
          insert.run("kdf", Buffer.from(JSON.stringify(derivationForNewFile)));
          insert.run("check", cipher.seal(Buffer.from(PASSPHRASE_CHECK), "check"));
          insert.run("snapshot", Buffer.from(JSON.stringify(snapshot)));
        })();
        return new EncryptedJournal(db, cipher, snapshot);
      }
      const format = meta.get("format")?.toString();
      if (format !== FORMAT) throw new Error(`${path} is not a ${FORMAT} file (${format})`);
      const derivation = JSON.parse(required(meta, "kdf").toString()) as KeyDerivation;
      const cipher = await RowCipher.derive(passphrase, salt, derivation);
      try {
        cipher.open(required(meta, "check"), "check");
      } catch (error) {
        if (error instanceof RowAuthenticationError) throw new WrongPassphraseError(path);
        throw error;
      }
      const snapshot = JSON.parse(required(meta, "snapshot").toString()) as SnapshotPosition;
      return new EncryptedJournal(db, cipher, snapshot);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Journal rows written since the last snapshot. */
  get rowsSinceSnapshot(): number {
    return this.journalRowsSinceSnapshot;
  }

  /** The snapshot's chunks, decrypted, in order. */
  *readSnapshot(): Generator<Buffer> {
    const { generation } = this.snapshot;
    const rows = this.db
      .prepare("SELECT seq, payload FROM snapshot ORDER BY seq")
      .iterate() as IterableIterator<{ seq: number; payload: Buffer }>;
    for (const row of rows)
      yield this.cipher.open(row.payload, `snapshot:${generation}:${row.seq}`);
  }

  /** The journal rows after the snapshot, decrypted, in commit order. */
  *readJournal(): Generator<Buffer> {
    const rows = this.db
      .prepare("SELECT id, payload FROM journal WHERE id > ? ORDER BY id")
      .iterate(this.snapshot.coveredJournalId) as IterableIterator<{ id: number; payload: Buffer }>;
    for (const row of rows) yield this.cipher.open(row.payload, `journal:${row.id}`);
  }

  /** Appends one committed transaction; durable when this returns. */
  append(plaintext: Uint8Array): void {
    const id = this.lastJournalId + 1;
    this.db
      .prepare("INSERT INTO journal (id, payload) VALUES (?, ?)")
      .run(id, this.cipher.seal(plaintext, `journal:${id}`));
    this.lastJournalId = id;
    this.journalRowsSinceSnapshot += 1;
  }

  /** Atomically replaces the snapshot with one covering every journal row, and drops them. */
  replaceWithSnapshot(chunks: readonly Uint8Array[]): void {
    const next: SnapshotPosition = {
      generation: this.snapshot.generation + 1,
      coveredJournalId: this.lastJournalId,
    };
    const insert = this.db.prepare("INSERT INTO snapshot (seq, payload) VALUES (?, ?)");
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM snapshot").run();
      chunks.forEach((chunk, seq) => {
        insert.run(seq, this.cipher.seal(chunk, `snapshot:${next.generation}:${seq}`));
      });
      this.db.prepare("DELETE FROM journal WHERE id <= ?").run(next.coveredJournalId);
      this.db
        .prepare("UPDATE meta SET value = ? WHERE key = 'snapshot'")
        .run(Buffer.from(JSON.stringify(next)));
    })();
    this.snapshot = next;
    this.journalRowsSinceSnapshot = 0;
  }

  /**
   * The whole file as it stands (every committed row, snapshot and journal, still encrypted):
   * a consistent copy for a backup, taken between two appends.
   */
  copy(): Buffer {
    return this.db.serialize();
  }

  close(): void {
    if (!this.db.open) return;
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Sqlite.SqliteError && error.code.startsWith("SQLITE_BUSY");
}

function readMeta(db: SqliteDatabase): Map<string, Buffer> {
  const rows = db.prepare("SELECT key, value FROM meta").all() as { key: string; value: Buffer }[];
  return new Map(rows.map((row) => [row.key, row.value]));
}

function required(meta: Map<string, Buffer>, key: string): Buffer {
  const value = meta.get(key);
  if (value === undefined) throw new Error(`durable IndexedDB store lacks its ${key}`);
  return value;
}
