import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { IDBFactory as PlainIDBFactory, IDBKeyRange as PlainIDBKeyRange } from "fake-indexeddb";
import {
  openDurableIndexedDB,
  type DurableIndexedDB,
} from "../../../../src/matrix/indexeddb/durable-indexeddb.js";
import { copyAsAfterCrash, databaseNames, dumpDatabase, openDatabase } from "./idb-helpers.js";

const storeNames = ["a", "b", "c"] as const;
const indexPaths = { byV: "v", byTags: "tags" } as const;
type StoreName = (typeof storeNames)[number];
type IndexName = keyof typeof indexPaths;

type SchemaAction =
  | { action: "createStore"; store: StoreName; keyPath: "id" | null; autoIncrement: boolean }
  | { action: "deleteStore"; store: StoreName }
  | {
      action: "createIndex";
      store: StoreName;
      index: IndexName;
      unique: boolean;
      multiEntry: boolean;
    }
  | { action: "deleteIndex"; store: StoreName; index: IndexName };

type Key = number | string;
interface Value {
  v: number;
  tags: number[];
}
type DataOperation =
  | { op: "put"; key: Key; value: Value }
  | { op: "add"; value: Value }
  | { op: "delete"; key: Key }
  | { op: "deleteRange"; from: number; to: number }
  | { op: "clear" };

type Command =
  | { kind: "upgrade"; actions: SchemaAction[] }
  | { kind: "write"; store: StoreName; operations: DataOperation[]; abort: boolean }
  | { kind: "reopen" }
  | { kind: "crash" }
  | { kind: "compact" };

const store = fc.constantFrom(...storeNames);
const index = fc.constantFrom<IndexName>("byV", "byTags");
const key = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom("x", "y", "z"));
const value = fc.record({
  v: fc.integer({ min: 0, max: 3 }),
  tags: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
});
const schemaAction: fc.Arbitrary<SchemaAction> = fc.oneof(
  fc.record({
    action: fc.constant("createStore" as const),
    store,
    keyPath: fc.constantFrom<"id" | null>("id", null),
    autoIncrement: fc.boolean(),
  }),
  fc.record({ action: fc.constant("deleteStore" as const), store }),
  fc.record({
    action: fc.constant("createIndex" as const),
    store,
    index,
    unique: fc.boolean(),
    multiEntry: fc.boolean(),
  }),
  fc.record({ action: fc.constant("deleteIndex" as const), store, index }),
);
const dataOperation: fc.Arbitrary<DataOperation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("put" as const), key, value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("add" as const), value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("deleteRange" as const),
      from: fc.integer({ min: 0, max: 8 }),
      to: fc.integer({ min: 0, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const) }) },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("upgrade" as const),
      actions: fc.array(schemaAction, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      store,
      operations: fc.array(dataOperation, { minLength: 1, maxLength: 6 }),
      abort: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "compact" as const }) },
);

const DB = "model";

/** Applies a schema action if it is valid in the current schema (the same in both factories). */
function applySchemaAction(db: IDBDatabase, transaction: IDBTransaction, action: SchemaAction) {
  const exists = db.objectStoreNames.contains(action.store);
  switch (action.action) {
    case "createStore":
      if (!exists) {
        db.createObjectStore(action.store, {
          keyPath: action.keyPath,
          autoIncrement: action.autoIncrement,
        });
      }
      return;
    case "deleteStore":
      if (exists) db.deleteObjectStore(action.store);
      return;
    case "createIndex": {
      if (!exists) return;
      const target = transaction.objectStore(action.store);
      if (!target.indexNames.contains(action.index)) {
        target.createIndex(action.index, indexPaths[action.index], {
          unique: action.unique,
          multiEntry: action.multiEntry,
        });
      }
      return;
    }
    case "deleteIndex": {
      if (!exists) return;
      const target = transaction.objectStore(action.store);
      if (target.indexNames.contains(action.index)) target.deleteIndex(action.index);
      return;
    }
  }
}

/** Queues a data operation if it is valid for the store's key kind; returns its request. */
function applyDataOperation(
  target: IDBObjectStore,
  operation: DataOperation,
  keyRange: typeof IDBKeyRange,
): IDBRequest | undefined {
  const inline = target.keyPath !== null;
  switch (operation.op) {
    case "put":
      return inline
        ? target.put({ ...operation.value, id: operation.key })
        : target.put(operation.value, operation.key);
    case "add":
      return target.autoIncrement ? target.add(operation.value) : undefined;
    case "delete":
      return target.delete(operation.key);
    case "deleteRange":
      return target.delete(
        keyRange.bound(
          Math.min(operation.from, operation.to),
          Math.max(operation.from, operation.to),
        ),
      );
    case "clear":
      return target.clear();
  }
}

/** Runs a command on one factory; the outcome ("committed", an error name, ...) is compared. */
async function run(
  factory: IDBFactory,
  cmd: Command,
  keyRange: typeof IDBKeyRange,
): Promise<string> {
  if (cmd.kind === "upgrade") {
    const current = await openDatabase(factory, DB);
    const version = current.version + 1;
    current.close();
    return openDatabase(factory, DB, version, (db, transaction) => {
      for (const action of cmd.actions) applySchemaAction(db, transaction, action);
    }).then(
      (db) => {
        db.close();
        return "committed";
      },
      (error: unknown) => `upgrade failed: ${(error as DOMException).name}`,
    );
  }
  if (cmd.kind !== "write") return "n/a";
  const db = await openDatabase(factory, DB);
  try {
    if (!db.objectStoreNames.contains(cmd.store)) return "no store";
    const transaction = db.transaction(cmd.store, "readwrite");
    const outcome = new Promise<string>((resolve) => {
      transaction.oncomplete = () => {
        resolve("committed");
      };
      transaction.onabort = () => {
        resolve(`aborted: ${transaction.error?.name ?? "by caller"}`);
      };
    });
    const target = transaction.objectStore(cmd.store);
    const results: unknown[] = [];
    let last: IDBRequest | undefined;
    for (const operation of cmd.operations) {
      const request = applyDataOperation(target, operation, keyRange);
      if (request === undefined) continue;
      request.onsuccess = () => results.push(request.result);
      last = request;
    }
    if (cmd.abort && last !== undefined) {
      last.addEventListener("success", () => {
        transaction.abort();
      });
    }
    return `${await outcome} ${JSON.stringify(results)}`;
  } finally {
    db.close();
  }
}

/**
 * Found by this property: an aborted put with an explicit key still moves the store's key
 * generator (IndexedDB does not roll generators back), and a restart must agree.
 */
const ABORTED_PUT_THEN_CRASH = JSON.parse(
  '[{"kind":"upgrade","actions":[{"action":"createStore","store":"c","keyPath":"id","autoIncrement":true}]},' +
    '{"kind":"write","store":"c","operations":[{"op":"put","key":1,"value":{"v":0,"tags":[]}},{"op":"delete","key":0}],"abort":true},' +
    '{"kind":"crash"},' +
    '{"kind":"write","store":"c","operations":[{"op":"add","value":{"v":0,"tags":[]}},{"op":"delete","key":0}],"abort":false},' +
    '{"kind":"crash"}]',
) as Command[];

describe("durable IndexedDB, property", function () {
  it("reaches the same state as plain fake-indexeddb, across crashes, reopens and compactions", async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        let directory = mkdtempSync(join(tmpdir(), "dsx-idb-prop-"));
        const directories = [directory];
        const openDurable = () =>
          openDurableIndexedDB({
            directory,
            passphrase: "p",
            keyDerivationCost: 10,
            compactAfter: 5,
          });
        let durable: DurableIndexedDB = await openDurable();
        const crashAndRestart = async (crashing: DurableIndexedDB) => {
          directory = copyAsAfterCrash(directory);
          directories.push(directory);
          crashing.close();
          return openDurable();
        };
        const plain = new PlainIDBFactory();
        try {
          for (const cmd of commands) {
            if (cmd.kind === "reopen") {
              durable.close();
              durable = await openDurable();
            } else if (cmd.kind === "crash") {
              durable = await crashAndRestart(durable);
            } else if (cmd.kind === "compact") {
              durable.compact();
            } else {
              const expected = await run(plain, cmd, PlainIDBKeyRange);
              const actual = await run(durable.factory, cmd, durable.IDBKeyRange);
              expect(actual, JSON.stringify(cmd)).to.equal(expected);
            }
          }
          durable = await crashAndRestart(durable);
          expect(await databaseNames(durable.factory)).to.deep.equal(await databaseNames(plain));
          if ((await databaseNames(plain)).includes(DB)) {
            expect(await dumpDatabase(durable.factory, DB)).to.deep.equal(
              await dumpDatabase(plain, DB),
            );
          }
        } finally {
          durable.close();
          for (const path of directories) rmSync(path, { recursive: true, force: true });
        }
      }),
      { numRuns: 40, examples: [[ABORTED_PUT_THEN_CRASH]] },
    );
  });
});
