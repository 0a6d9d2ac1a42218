import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { IDBFactory as FakeIDBFactory, IDBKeyRange as FakeIDBKeyRange } from "fake-indexeddb";
import { EncryptedJournal } from "./encrypted-journal.js";
import type { FakeFactory, RawDatabase } from "./fake-internals.js";
import { installIndexedDBGlobals } from "./indexeddb-globals.js";
import type { JournalEntry } from "./journal-entry.js";
import {
  applyJournalEntry,
  captureSnapshot,
  restoreSnapshot,
  type SnapshotChunk,
} from "./raw-state.js";
import { defaultKeyDerivation } from "./row-cipher.js";
import {
  journalEntryOf,
  registerJournalSink,
  unregisterJournalSink,
  type JournalSink,
  type TransactionRecord,
} from "./transaction-journaling.js";

/** The file in the state directory that holds the journal and snapshot. */
export const DURABLE_INDEXEDDB_FILE = "indexeddb.sqlite";

export interface DurableIndexedDBOptions {
  /** Directory of the SQLite file; created if missing. */
  directory: string;
  /** Encrypts every row; the same passphrase must open the file again. */
  passphrase: string;
  /** Journal rows after which the next quiet moment writes a snapshot (default 1000). */
  compactAfter?: number;
  /** scrypt cost (log2 N) for a new file (default 15); an existing file keeps its own. */
  keyDerivationCost?: number;
  /** Told when a background compaction fails; the journal stays valid and is retried later. */
  onCompactionError?: (error: unknown) => void;
}

const DEFAULT_COMPACT_AFTER = 1000;

/**
 * Opens an IndexedDB whose committed state lives in an encrypted SQLite file in `directory`:
 * the journal and snapshot are replayed into a fresh in-memory fake-indexeddb factory, and from
 * then on every committed transaction is written to the file before its `complete` event.
 *
 * @throws WrongPassphraseError if the file was created with another passphrase.
 * @throws StoreInUseError if another process has the file open.
 */
export async function openDurableIndexedDB(
  options: DurableIndexedDBOptions,
): Promise<DurableIndexedDB> {
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  const journal = await EncryptedJournal.open(
    join(options.directory, DURABLE_INDEXEDDB_FILE),
    options.passphrase,
    { ...defaultKeyDerivation, cost: options.keyDerivationCost ?? defaultKeyDerivation.cost },
  );
  try {
    const durable = new DurableIndexedDB(journal, options);
    const factory = durable.factory as unknown as FakeFactory;
    restoreSnapshot(
      factory,
      mapIterable(journal.readSnapshot(), (row) => deserialize(row) as SnapshotChunk),
    );
    for (const row of journal.readJournal()) {
      applyJournalEntry(factory, deserialize(row) as JournalEntry);
    }
    registerJournalSink(durable);
    durable.compactIfDue();
    return durable;
  } catch (error) {
    journal.close();
    throw error;
  }
}

/**
 * A durable IndexedDB: `factory` is the `IDBFactory` to hand to matrix-js-sdk's `IndexedDBStore`
 * (or install as the global `indexedDB` with `installGlobals` for the Rust crypto store), and
 * `IDBKeyRange` the key range class that goes with it.
 */
export class DurableIndexedDB implements JournalSink {
  readonly factory: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange = FakeIDBKeyRange;
  private readonly inFlight = new Set<TransactionRecord>();
  private readonly compactAfter: number;
  private closed = false;

  /** @internal use `openDurableIndexedDB` */
  constructor(
    private readonly journal: EncryptedJournal,
    private readonly options: DurableIndexedDBOptions,
  ) {
    this.compactAfter = options.compactAfter ?? DEFAULT_COMPACT_AFTER;
    this.factory = new DurableIDBFactory(this);
  }

  /** Journal rows not yet folded into the snapshot. */
  get journalRows(): number {
    return this.journal.rowsSinceSnapshot;
  }

  /**
   * Sets `indexedDB`, `IDBKeyRange` and the other IndexedDB globals (what matrix-sdk-crypto-wasm
   * looks up) to this store. Returns a function that puts the previous globals back.
   */
  installGlobals(): () => void {
    return installIndexedDBGlobals(this.factory);
  }

  /**
   * Writes a snapshot of the committed state and drops the journal rows it covers, atomically.
   * Returns false (and does nothing) while a transaction that has written something is in flight.
   */
  compact(): boolean {
    if (this.closed) throw new Error("the durable IndexedDB is closed");
    if (!this.isQuiet()) return false;
    const chunks = captureSnapshot(this.factory as unknown as FakeFactory).map((chunk) =>
      serialize(chunk),
    );
    this.journal.replaceWithSnapshot(chunks);
    return true;
  }

  /**
   * Compacts if it can, and closes the file. Transactions that commit afterwards abort; opening
   * databases afterwards throws. Close the application's connections first.
   */
  /** A consistent copy of the store's file, still encrypted with the passphrase (for backups). */
  copy(): Buffer {
    return this.journal.copy();
  }

  close(): void {
    if (this.closed) return;
    if (this.journal.rowsSinceSnapshot > 0 && this.isQuiet()) this.compact();
    this.closed = true;
    unregisterJournalSink(this);
    this.journal.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  get databases(): ReadonlyMap<string, RawDatabase> {
    return (this.factory as unknown as FakeFactory)._databases;
  }

  /** @internal */
  begin(record: TransactionRecord): void {
    this.inFlight.add(record);
  }

  /** @internal */
  commit(record: TransactionRecord): void {
    this.inFlight.delete(record);
    if (this.closed) throw new Error("the durable IndexedDB is closed");
    const entry = journalEntryOf(record);
    if (entry === undefined) return;
    this.journal.append(serialize(entry));
    this.compactIfDue();
  }

  /** @internal */
  end(record: TransactionRecord): void {
    this.inFlight.delete(record);
  }

  /** @internal journals a deleted database; throws if the journal cannot be written. */
  commitDeletion(database: string): void {
    if (this.closed) throw new Error("the durable IndexedDB is closed");
    const entry: JournalEntry = { kind: "deleteDatabase", database };
    this.journal.append(serialize(entry));
  }

  /** @internal */
  compactIfDue(): void {
    if (this.journal.rowsSinceSnapshot < this.compactAfter) return;
    try {
      this.compact();
    } catch (error) {
      this.options.onCompactionError?.(error);
    }
  }

  /** No transaction has uncommitted effects in memory, so memory is exactly the committed state. */
  private isQuiet(): boolean {
    for (const record of this.inFlight) {
      if (record.upgrade || record.operations.length > 0) return false;
    }
    return true;
  }
}

/** fake-indexeddb's factory, with database deletion journaled and no opening once closed. */
class DurableIDBFactory extends FakeIDBFactory {
  constructor(private readonly durable: DurableIndexedDB) {
    super();
  }

  override open(name: string, version?: number): IDBOpenDBRequest {
    if (this.durable.isClosed) {
      throw new DOMException("the durable IndexedDB is closed", "InvalidStateError");
    }
    return super.open(name, version);
  }

  override deleteDatabase(name: string): IDBOpenDBRequest {
    const request = super.deleteDatabase(name);
    const dispatch = request.dispatchEvent.bind(request);
    // Journal the deletion before anyone hears of its success; report a failure instead.
    request.dispatchEvent = (event: Event): boolean => {
      if (event.type !== "success") return dispatch(event);
      try {
        this.durable.commitDeletion(name);
        return dispatch(event);
      } catch (error) {
        const EventClass = event.constructor as new (type: string, init: EventInit) => Event;
        const failure = Object.assign(
          new EventClass("error", { bubbles: true, cancelable: true }),
          {
            eventPath: [],
          },
        );
        Object.assign(request, {
          error: new DOMException(`journal write failed: ${String(error)}`, "UnknownError"),
        });
        return dispatch(failure);
      }
    };
    return request;
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
