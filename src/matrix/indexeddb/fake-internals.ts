/**
 * Typed views of the fake-indexeddb internals that the durable layer reads and hooks into.
 *
 * fake-indexeddb keeps its state in "raw" objects (database, object store, index) behind the
 * public IDB* classes. Journaling and replay work on that raw layer because it is where a record's
 * final key (after key generation) is known and where aborted work is undone. These shapes match
 * fake-indexeddb 6.2; `checkFakeIndexedDBShape` fails loudly at start if an upgrade changed them.
 */
import {
  IDBDatabase as FakeIDBDatabase,
  IDBFactory as FakeIDBFactory,
  IDBIndex as FakeIDBIndex,
  IDBObjectStore as FakeIDBObjectStore,
  IDBTransaction as FakeIDBTransaction,
} from "fake-indexeddb";

export type KeyPath = string | string[];
export type RollbackLog = (() => void)[];

export interface RawRecord {
  key: unknown;
  value: unknown;
}

export interface RawIndex {
  name: string;
  keyPath: KeyPath;
  multiEntry: boolean;
  unique: boolean;
  deleted: boolean;
  initialized: boolean;
  storeRecord(record: RawRecord): void;
}

export interface RawObjectStore {
  name: string;
  keyPath: KeyPath | null;
  autoIncrement: boolean;
  deleted: boolean;
  keyGenerator: { num: number } | null;
  records: { values(): Iterable<RawRecord> };
  rawIndexes: Map<string, RawIndex>;
  storeRecord(record: RawRecord, noOverwrite: boolean, rollbackLog?: RollbackLog): unknown;
  deleteRecord(keyOrRange: unknown, rollbackLog?: RollbackLog): void;
  clear(rollbackLog?: RollbackLog): void;
}

export interface RawDatabase {
  name: string;
  version: number;
  rawObjectStores: Map<string, RawObjectStore>;
}

/** An `IDBDatabase` connection as fake-indexeddb implements it. */
export interface FakeConnection {
  _rawDatabase: RawDatabase;
  name: string;
}

/** An `IDBTransaction` as fake-indexeddb implements it. */
export interface FakeTransaction {
  mode: IDBTransactionMode;
  _state: string;
  _rollbackLog: RollbackLog;
  _abort(errorName: string | null): void;
  db: FakeConnection;
  dispatchEvent(event: Event): boolean;
}

export interface FakeObjectStoreHandle {
  _rawObjectStore: RawObjectStore;
  transaction: FakeTransaction;
}

export interface FakeIndexHandle {
  _rawIndex: RawIndex;
  objectStore: FakeObjectStoreHandle;
}

/** An `IDBFactory` as fake-indexeddb implements it: its databases by name. */
export interface FakeFactory {
  _databases: Map<string, RawDatabase>;
}

type RawDatabaseClass = new (name: string, version: number) => RawDatabase;
type RawObjectStoreClass = new (
  database: RawDatabase,
  name: string,
  keyPath: KeyPath | null,
  autoIncrement: boolean,
) => RawObjectStore;
type RawIndexClass = new (
  store: RawObjectStore,
  name: string,
  keyPath: KeyPath,
  multiEntry: boolean,
  unique: boolean,
) => RawIndex;

// The raw classes are not in the package's exports map; importing them by file URL next to the
// package's ESM entry yields the very module instances that the public classes use.
const entry = import.meta.resolve("fake-indexeddb");

async function importDefault<T>(relative: string): Promise<T> {
  const module = (await import(new URL(relative, entry).href)) as { default: T };
  return module.default;
}

export const RawDatabaseConstructor = await importDefault<RawDatabaseClass>("./lib/Database.js");
export const RawObjectStoreConstructor =
  await importDefault<RawObjectStoreClass>("./lib/ObjectStore.js");
export const RawIndexConstructor = await importDefault<RawIndexClass>("./lib/Index.js");

/** The prototypes whose methods the journaling hooks wrap. */
export const prototypes = {
  factory: FakeIDBFactory.prototype as object,
  connection: FakeIDBDatabase.prototype as object,
  transaction: FakeIDBTransaction.prototype as object,
  objectStore: FakeIDBObjectStore.prototype as object,
  index: FakeIDBIndex.prototype as object,
  rawObjectStore: RawObjectStoreConstructor.prototype as object,
};

/** Throws if fake-indexeddb no longer has the internals this layer depends on. */
export function checkFakeIndexedDBShape(): void {
  const expected: [object, string][] = [
    [prototypes.connection, "transaction"],
    [prototypes.connection, "createObjectStore"],
    [prototypes.connection, "deleteObjectStore"],
    [prototypes.transaction, "_abort"],
    [prototypes.objectStore, "createIndex"],
    [prototypes.objectStore, "deleteIndex"],
    [prototypes.rawObjectStore, "storeRecord"],
    [prototypes.rawObjectStore, "deleteRecord"],
    [prototypes.rawObjectStore, "clear"],
  ];
  const missing = expected.filter(([proto, name]) => !(name in proto)).map(([, name]) => name);
  const factory = new FakeIDBFactory() as unknown as Partial<FakeFactory>;
  if (!(factory._databases instanceof Map)) missing.push("_databases");
  const raw = new RawDatabaseConstructor("probe", 0);
  if (!(raw.rawObjectStores instanceof Map)) missing.push("rawObjectStores");
  if (missing.length > 0) {
    throw new Error(
      `fake-indexeddb changed its internals (missing: ${missing.join(", ")}); ` +
        "the durable IndexedDB supports fake-indexeddb 6.2",
    );
  }
}
