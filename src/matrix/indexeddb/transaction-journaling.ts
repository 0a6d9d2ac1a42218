/**
 * Hooks into fake-indexeddb that record, per read-write or upgrade transaction, every effect it
 * has on a database owned by a durable factory, and hand the record to that factory's journal
 * before the transaction's `complete` event is dispatched to anyone. If the journal write fails,
 * the transaction is rolled back and aborted instead.
 *
 * The hooks wrap fake-indexeddb's prototypes once per process. For databases that no durable
 * factory owns (plain fake-indexeddb use elsewhere) they do nothing.
 */
import {
  checkFakeIndexedDBShape,
  prototypes,
  type FakeConnection,
  type FakeIndexHandle,
  type FakeObjectStoreHandle,
  type FakeTransaction,
  type RawDatabase,
  type RawObjectStore,
  type RawRecord,
} from "./fake-internals.js";
import { serializeKeyQuery, type JournalEntry, type JournalOperation } from "./journal-entry.js";

/** What one writing transaction did, in order. */
export interface TransactionRecord {
  readonly database: string;
  readonly upgrade: boolean;
  /**
   * Replaying these puts moves key generators as they moved (fake-indexeddb raises a generator
   * to every numeric key stored), so the journal needs no generator state of its own.
   */
  readonly operations: JournalOperation[];
}

/** The journal side of a durable factory. */
export interface JournalSink {
  /** The databases of the sink's factory, by name. */
  readonly databases: ReadonlyMap<string, RawDatabase>;
  begin(record: TransactionRecord): void;
  /** Makes the transaction durable; throwing aborts it. */
  commit(record: TransactionRecord): void;
  /** The transaction aborted: forget it. */
  end(record: TransactionRecord): void;
}

const sinks = new Set<JournalSink>();
const sinkByDatabase = new WeakMap<RawDatabase, JournalSink>();
const recordByRollbackLog = new WeakMap<unknown[], TransactionRecord>();
const upgradeByConnection = new WeakMap<FakeConnection, TransactionRecord>();
let hooksInstalled = false;

/** Starts journaling the databases of the sink's factory. */
export function registerJournalSink(sink: JournalSink): void {
  installHooks();
  sinks.add(sink);
}

/**
 * Stops looking up new databases in the sink's factory. Databases already seen keep their sink,
 * whose `commit` is then expected to refuse (and so abort) further writes.
 */
export function unregisterJournalSink(sink: JournalSink): void {
  sinks.delete(sink);
}

/** The journal entry of a finished record, or undefined if the transaction wrote nothing. */
export function journalEntryOf(record: TransactionRecord): JournalEntry | undefined {
  if (record.operations.length === 0) return undefined;
  return { kind: "transaction", database: record.database, operations: record.operations };
}

function sinkOf(database: RawDatabase): JournalSink | undefined {
  const known = sinkByDatabase.get(database);
  if (known !== undefined) return known;
  for (const sink of sinks) {
    if (sink.databases.get(database.name) === database) {
      sinkByDatabase.set(database, sink);
      return sink;
    }
  }
  return undefined;
}

function recordOf(rollbackLog: unknown): TransactionRecord | undefined {
  return Array.isArray(rollbackLog) ? recordByRollbackLog.get(rollbackLog) : undefined;
}

function track(connection: FakeConnection, transaction: FakeTransaction): void {
  const sink = sinkOf(connection._rawDatabase);
  if (sink === undefined) return;
  const upgrade = transaction.mode === "versionchange";
  const record: TransactionRecord = {
    database: connection.name,
    upgrade,
    // fake-indexeddb sets the new version just before it creates the upgrade transaction.
    operations: upgrade ? [{ op: "version", version: connection._rawDatabase.version }] : [],
  };
  recordByRollbackLog.set(transaction._rollbackLog, record);
  if (upgrade) upgradeByConnection.set(connection, record);
  sink.begin(record);
  // An own property in front of the prototype's: `complete` and `abort` are dispatched on the
  // transaction itself, before any listener (internal or the application's) runs.
  const dispatch = transaction.dispatchEvent.bind(transaction);
  transaction.dispatchEvent = (event: Event): boolean => {
    if (event.type === "complete") {
      try {
        sink.commit(record);
      } catch {
        sink.end(record);
        transaction._abort("UnknownError");
        return false;
      }
    } else if (event.type === "abort") {
      sink.end(record);
      keepGeneratorAdvances(sink, record);
    }
    return dispatch(event);
  };
}

/**
 * An aborted transaction leaves its stores' key generators where its puts moved them (the
 * IndexedDB rule fake-indexeddb follows); that much is journaled, so a restart agrees. Aborted
 * upgrades are left out: their stores are rolled back altogether.
 */
function keepGeneratorAdvances(sink: JournalSink, record: TransactionRecord): void {
  if (record.upgrade) return;
  const database = sink.databases.get(record.database);
  const stores = new Set(record.operations.flatMap((o) => (o.op === "put" ? [o.store] : [])));
  const operations: JournalOperation[] = [];
  for (const name of stores) {
    const next = database?.rawObjectStores.get(name)?.keyGenerator?.num;
    if (next !== undefined) operations.push({ op: "keyGenerator", store: name, next });
  }
  if (operations.length === 0) return;
  try {
    sink.commit({ database: record.database, upgrade: false, operations });
  } catch {
    // A store closed meanwhile: a restart then hands out a key this transaction had used and
    // dropped, which no committed record holds.
  }
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function wrapMethod(target: object, name: string, wrapper: (original: Method) => Method): void {
  const original = Reflect.get(target, name) as Method;
  Object.defineProperty(target, name, {
    value: wrapper(original),
    writable: true,
    configurable: true,
  });
}

function afterRename(target: object, onRenamed: (self: unknown, oldName: string) => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, "name");
  if (descriptor === undefined) throw new Error("no name property to hook");
  const set = Reflect.get(descriptor, "set") as
    ((this: unknown, value: unknown) => void) | undefined;
  if (set === undefined) throw new Error("no name setter to hook");
  Object.defineProperty(target, "name", {
    ...descriptor,
    set(this: { _name: string }, value: unknown) {
      const oldName = this._name;
      set.call(this, value);
      if (this._name !== oldName) onRenamed(this, oldName);
    },
  });
}

function installHooks(): void {
  if (hooksInstalled) return;
  checkFakeIndexedDBShape();
  hooksInstalled = true;

  wrapMethod(
    prototypes.connection,
    "transaction",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const transaction = original.apply(this, args) as FakeTransaction;
        if (transaction.mode !== "readonly") track(this as FakeConnection, transaction);
        return transaction;
      },
  );

  wrapMethod(
    prototypes.rawObjectStore,
    "storeRecord",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const key = original.apply(this, args);
        const record = recordOf(args[2]);
        if (record !== undefined) {
          const store = this as RawObjectStore;
          const { value } = args[0] as RawRecord;
          record.operations.push({ op: "put", store: store.name, key, value });
        }
        return key;
      },
  );
  wrapMethod(
    prototypes.rawObjectStore,
    "deleteRecord",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        const record = recordOf(args[1]);
        const store = (this as RawObjectStore).name;
        record?.operations.push({ op: "delete", store, query: serializeKeyQuery(args[0]) });
        return result;
      },
  );
  wrapMethod(
    prototypes.rawObjectStore,
    "clear",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        recordOf(args[0])?.operations.push({ op: "clear", store: (this as RawObjectStore).name });
        return result;
      },
  );

  wrapMethod(
    prototypes.connection,
    "createObjectStore",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const handle = original.apply(this, args) as FakeObjectStoreHandle;
        const raw = handle._rawObjectStore;
        recordOf(handle.transaction._rollbackLog)?.operations.push({
          op: "createStore",
          store: raw.name,
          keyPath: raw.keyPath,
          autoIncrement: raw.autoIncrement,
        });
        return handle;
      },
  );
  wrapMethod(
    prototypes.connection,
    "deleteObjectStore",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        upgradeByConnection
          .get(this as FakeConnection)
          ?.operations.push({ op: "deleteStore", store: args[0] as string });
        return result;
      },
  );
  wrapMethod(
    prototypes.objectStore,
    "createIndex",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const handle = original.apply(this, args) as FakeIndexHandle;
        const store = this as FakeObjectStoreHandle;
        const raw = handle._rawIndex;
        recordOf(store.transaction._rollbackLog)?.operations.push({
          op: "createIndex",
          store: store._rawObjectStore.name,
          index: raw.name,
          keyPath: raw.keyPath,
          unique: raw.unique,
          multiEntry: raw.multiEntry,
        });
        return handle;
      },
  );
  wrapMethod(
    prototypes.objectStore,
    "deleteIndex",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        const store = this as FakeObjectStoreHandle;
        recordOf(store.transaction._rollbackLog)?.operations.push({
          op: "deleteIndex",
          store: store._rawObjectStore.name,
          index: args[0] as string,
        });
        return result;
      },
  );
  afterRename(prototypes.objectStore, (self, oldName) => {
    const store = self as FakeObjectStoreHandle;
    recordOf(store.transaction._rollbackLog)?.operations.push({
      op: "renameStore",
      store: oldName,
      to: store._rawObjectStore.name,
    });
  });
  afterRename(prototypes.index, (self, oldName) => {
    const index = self as FakeIndexHandle;
    recordOf(index.objectStore.transaction._rollbackLog)?.operations.push({
      op: "renameIndex",
      store: index.objectStore._rawObjectStore.name,
      index: oldName,
      to: index._rawIndex.name,
    });
  });
}
