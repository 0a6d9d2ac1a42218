/**
 * Rebuilds and reads fake-indexeddb's in-memory state directly on its raw layer: replaying journal
 * entries and snapshots at open, and taking snapshots for compaction. It runs while no application
 * transaction is in flight, so it bypasses the asynchronous IDB request machinery.
 */
import {
  RawDatabaseConstructor,
  RawIndexConstructor,
  RawObjectStoreConstructor,
  type FakeFactory,
  type KeyPath,
  type RawDatabase,
  type RawObjectStore,
} from "./fake-internals.js";
import { deserializeKeyQuery, type JournalEntry, type JournalOperation } from "./journal-entry.js";

interface IndexSchema {
  name: string;
  keyPath: KeyPath;
  unique: boolean;
  multiEntry: boolean;
}

interface StoreSchema {
  name: string;
  keyPath: KeyPath | null;
  autoIncrement: boolean;
  keyGenerator: number | null;
  indexes: IndexSchema[];
}

/** A snapshot is a header with every schema, then chunks of records. */
export type SnapshotChunk =
  | {
      kind: "header";
      databases: { name: string; version: number; stores: StoreSchema[] }[];
      chunks: number;
    }
  | { kind: "records"; database: string; store: string; records: [unknown, unknown][] };

const RECORDS_PER_CHUNK = 256;

/** Applies one committed journal entry to the factory's state. */
export function applyJournalEntry(factory: FakeFactory, entry: JournalEntry): void {
  if (entry.kind === "deleteDatabase") {
    factory._databases.delete(entry.database);
    return;
  }
  let database = factory._databases.get(entry.database);
  if (database === undefined) {
    database = new RawDatabaseConstructor(entry.database, 0);
    factory._databases.set(entry.database, database);
  }
  for (const operation of entry.operations) applyOperation(database, operation);
}

function applyOperation(database: RawDatabase, operation: JournalOperation): void {
  switch (operation.op) {
    case "version":
      database.version = operation.version;
      return;
    case "createStore":
      database.rawObjectStores.set(
        operation.store,
        new RawObjectStoreConstructor(
          database,
          operation.store,
          operation.keyPath,
          operation.autoIncrement,
        ),
      );
      return;
    case "keyGenerator": {
      const generator = store(database, operation.store).keyGenerator;
      if (generator !== null && generator.num < operation.next) generator.num = operation.next;
      return;
    }
    case "deleteStore":
      store(database, operation.store).deleted = true;
      database.rawObjectStores.delete(operation.store);
      return;
    case "renameStore": {
      const renamed = store(database, operation.store);
      database.rawObjectStores.delete(operation.store);
      renamed.name = operation.to;
      database.rawObjectStores.set(operation.to, renamed);
      return;
    }
    case "createIndex":
      createIndex(store(database, operation.store), operation);
      return;
    case "deleteIndex": {
      const owner = store(database, operation.store);
      const index = owner.rawIndexes.get(operation.index);
      if (index !== undefined) index.deleted = true;
      owner.rawIndexes.delete(operation.index);
      return;
    }
    case "renameIndex": {
      const owner = store(database, operation.store);
      const index = owner.rawIndexes.get(operation.index);
      if (index === undefined) throw missing(database, `${operation.store}/${operation.index}`);
      owner.rawIndexes.delete(operation.index);
      index.name = operation.to;
      owner.rawIndexes.set(operation.to, index);
      return;
    }
    case "put":
      store(database, operation.store).storeRecord(
        { key: operation.key, value: operation.value },
        false,
      );
      return;
    case "delete":
      store(database, operation.store).deleteRecord(deserializeKeyQuery(operation.query));
      return;
    case "clear":
      store(database, operation.store).clear();
      return;
  }
}

function store(database: RawDatabase, name: string): RawObjectStore {
  const found = database.rawObjectStores.get(name);
  if (found === undefined) throw missing(database, name);
  return found;
}

function missing(database: RawDatabase, what: string): Error {
  return new Error(`durable IndexedDB journal refers to a missing ${database.name}/${what}`);
}

function createIndex(owner: RawObjectStore, schema: Omit<IndexSchema, "name"> & { index: string }) {
  const index = new RawIndexConstructor(
    owner,
    schema.index,
    schema.keyPath,
    schema.multiEntry,
    schema.unique,
  );
  for (const record of owner.records.values()) index.storeRecord(record);
  index.initialized = true;
  owner.rawIndexes.set(schema.index, index);
}

function setKeyGenerator(owner: RawObjectStore, next: number): void {
  if (owner.keyGenerator !== null) owner.keyGenerator.num = next;
}

/** Reads the whole committed state as snapshot chunks (header first). */
export function captureSnapshot(factory: FakeFactory): SnapshotChunk[] {
  const databases: Extract<SnapshotChunk, { kind: "header" }>["databases"] = [];
  const recordChunks: SnapshotChunk[] = [];
  for (const database of factory._databases.values()) {
    // Version 0 is a database whose creating upgrade never committed: it does not exist.
    if (database.version === 0) continue;
    const stores: StoreSchema[] = [];
    for (const raw of database.rawObjectStores.values()) {
      stores.push({
        name: raw.name,
        keyPath: raw.keyPath,
        autoIncrement: raw.autoIncrement,
        keyGenerator: raw.keyGenerator?.num ?? null,
        indexes: [...raw.rawIndexes.values()]
          .filter((index) => !index.deleted)
          .map(({ name, keyPath, unique, multiEntry }) => ({ name, keyPath, unique, multiEntry })),
      });
      let records: [unknown, unknown][] = [];
      for (const record of raw.records.values()) {
        records.push([record.key, record.value]);
        if (records.length === RECORDS_PER_CHUNK) {
          recordChunks.push({ kind: "records", database: database.name, store: raw.name, records });
          records = [];
        }
      }
      if (records.length > 0) {
        recordChunks.push({ kind: "records", database: database.name, store: raw.name, records });
      }
    }
    databases.push({ name: database.name, version: database.version, stores });
  }
  return [{ kind: "header", databases, chunks: recordChunks.length }, ...recordChunks];
}

/** Rebuilds the factory's state from snapshot chunks, as `captureSnapshot` produced them. */
export function restoreSnapshot(factory: FakeFactory, chunks: Iterable<SnapshotChunk>): void {
  let header: Extract<SnapshotChunk, { kind: "header" }> | undefined;
  let recordChunks = 0;
  for (const chunk of chunks) {
    if (chunk.kind === "header") {
      header = chunk;
      restoreSchema(factory, chunk);
      continue;
    }
    if (header === undefined) throw new Error("durable IndexedDB snapshot has no header");
    recordChunks += 1;
    const database = factory._databases.get(chunk.database);
    if (database === undefined) throw new Error(`snapshot lacks database ${chunk.database}`);
    const owner = store(database, chunk.store);
    for (const [key, value] of chunk.records) owner.storeRecord({ key, value }, false);
  }
  if (header === undefined) return;
  if (recordChunks !== header.chunks) {
    throw new Error(
      `durable IndexedDB snapshot is incomplete: ${recordChunks} of ${header.chunks} chunks`,
    );
  }
  // Generators last: storing records with numeric keys moves them, the snapshot has the truth.
  for (const schema of header.databases) {
    const database = factory._databases.get(schema.name);
    for (const storeSchema of schema.stores) {
      if (database !== undefined && storeSchema.keyGenerator !== null) {
        setKeyGenerator(store(database, storeSchema.name), storeSchema.keyGenerator);
      }
    }
  }
}

function restoreSchema(
  factory: FakeFactory,
  header: Extract<SnapshotChunk, { kind: "header" }>,
): void {
  for (const schema of header.databases) {
    const database = new RawDatabaseConstructor(schema.name, schema.version);
    factory._databases.set(schema.name, database);
    for (const storeSchema of schema.stores) {
      const raw = new RawObjectStoreConstructor(
        database,
        storeSchema.name,
        storeSchema.keyPath,
        storeSchema.autoIncrement,
      );
      database.rawObjectStores.set(storeSchema.name, raw);
      for (const index of storeSchema.indexes) createIndex(raw, { ...index, index: index.name });
    }
  }
}
