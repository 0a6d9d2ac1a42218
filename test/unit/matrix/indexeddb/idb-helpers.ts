/** Promise wrappers around the IndexedDB API, and crash simulation, for tests. */
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DURABLE_INDEXEDDB_FILE } from "../../../../src/matrix/indexeddb/durable-indexeddb.js";

export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error("request failed"));
    };
  });
}

/** Resolves on `complete`, rejects on `abort`. */
export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    transaction.onabort = () => {
      reject(transaction.error ?? new Error("transaction aborted"));
    };
  });
}

export function openDatabase(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, transaction: IDBTransaction, oldVersion: number) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => {
      const transaction = request.transaction;
      if (upgrade !== undefined && transaction !== null) {
        upgrade(request.result, transaction, event.oldVersion);
      }
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error("open failed"));
    };
  });
}

export function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => {
      resolve();
    };
    request.onerror = () => {
      reject(request.error ?? new Error("delete failed"));
    };
  });
}

/** Runs `body` in a read-write transaction over `stores` and waits for `complete`. */
export async function write(
  db: IDBDatabase,
  stores: string | string[],
  body: (transaction: IDBTransaction) => void,
): Promise<void> {
  const transaction = db.transaction(stores, "readwrite");
  const done = transactionDone(transaction);
  body(transaction);
  await done;
}

export interface StoreDump {
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Record<string, { keyPath: string | string[]; unique: boolean; multiEntry: boolean }>;
  records: [IDBValidKey, unknown][];
  /** Each index's entries: [index key, primary key]. */
  indexEntries: Record<string, [IDBValidKey, IDBValidKey][]>;
}

export interface DatabaseDump {
  version: number;
  stores: Record<string, StoreDump>;
}

/** Everything an application can observe of a database, through the public API. */
export async function dumpDatabase(factory: IDBFactory, name: string): Promise<DatabaseDump> {
  const db = await openDatabase(factory, name);
  try {
    const storeNames = [...db.objectStoreNames];
    const stores: Record<string, StoreDump> = {};
    if (storeNames.length > 0) {
      const transaction = db.transaction(storeNames, "readonly");
      for (const storeName of storeNames) {
        const store = transaction.objectStore(storeName);
        const [keys, values] = await Promise.all([
          requestResult(store.getAllKeys()),
          requestResult(store.getAll()),
        ]);
        const indexes: StoreDump["indexes"] = {};
        const indexEntries: StoreDump["indexEntries"] = {};
        for (const indexName of [...store.indexNames]) {
          const index = store.index(indexName);
          indexes[indexName] = {
            keyPath: index.keyPath,
            unique: index.unique,
            multiEntry: index.multiEntry,
          };
          indexEntries[indexName] = await indexCursorEntries(index);
        }
        stores[storeName] = {
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
          indexes,
          records: keys.map((key, i) => [key, values[i]]),
          indexEntries,
        };
      }
      await transactionDone(transaction);
    }
    return { version: db.version, stores };
  } finally {
    db.close();
  }
}

function indexCursorEntries(index: IDBIndex): Promise<[IDBValidKey, IDBValidKey][]> {
  return new Promise((resolve, reject) => {
    const entries: [IDBValidKey, IDBValidKey][] = [];
    const request = index.openKeyCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor === null) {
        resolve(entries);
        return;
      }
      entries.push([cursor.key, cursor.primaryKey]);
      cursor.continue();
    };
    request.onerror = () => {
      reject(request.error ?? new Error("cursor failed"));
    };
  });
}

/** Names of databases that exist (version above 0), sorted. */
export async function databaseNames(factory: IDBFactory): Promise<string[]> {
  const list = await factory.databases();
  return list.map((info) => info.name ?? "").sort();
}

/**
 * Copies the store's files as they are on disk now into a new directory: what a `kill -9` at this
 * moment would leave (every write is synchronous), without the snapshot that `close()` writes.
 */
export function copyAsAfterCrash(directory: string): string {
  const copy = mkdtempSync(join(tmpdir(), "dsx-idb-crash-"));
  for (const suffix of ["", "-wal"]) {
    const file = join(directory, DURABLE_INDEXEDDB_FILE + suffix);
    if (existsSync(file)) copyFileSync(file, join(copy, DURABLE_INDEXEDDB_FILE + suffix));
  }
  return copy;
}
