/**
 * Transactions per second for small puts: the durable IndexedDB (one synced journal row per
 * transaction) against plain in-memory fake-indexeddb. Run: node durable-indexeddb.bench.js
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDBFactory as PlainIDBFactory } from "fake-indexeddb";
import { openDurableIndexedDB } from "../../src/matrix/indexeddb/durable-indexeddb.js";
import { openDatabase, write } from "../unit/matrix/indexeddb/idb-helpers.js";

const TRANSACTIONS = 2000;

async function transactionsPerSecond(factory: IDBFactory): Promise<number> {
  const db = await openDatabase(factory, "bench", 1, (upgrading) => {
    upgrading.createObjectStore("items");
  });
  const started = performance.now();
  for (let i = 0; i < TRANSACTIONS; i++) {
    await write(db, "items", (transaction) => {
      transaction.objectStore("items").put({ n: i, body: "x".repeat(100) }, i % 200);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return TRANSACTIONS / seconds;
}

const directory = mkdtempSync(join(tmpdir(), "dsx-idb-bench-"));
try {
  const plain = await transactionsPerSecond(new PlainIDBFactory());
  const durable = await openDurableIndexedDB({ directory, passphrase: "bench" });
  const durableRate = await transactionsPerSecond(durable.factory);
  const started = performance.now();
  durable.close();
  const closeMs = performance.now() - started;
  const reopenStarted = performance.now();
  const reopened = await openDurableIndexedDB({ directory, passphrase: "bench" });
  const reopenMs = performance.now() - reopenStarted;
  reopened.close();
  console.log(`plain fake-indexeddb: ${plain.toFixed(0)} transactions/s`);
  console.log(`durable IndexedDB:    ${durableRate.toFixed(0)} transactions/s`);
  console.log(
    `close with snapshot: ${closeMs.toFixed(1)} ms; reopen (scrypt + replay): ${reopenMs.toFixed(1)} ms`,
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}
