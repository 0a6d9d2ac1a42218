import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { expect } from "chai";
import {
  DURABLE_INDEXEDDB_FILE,
  openDurableIndexedDB,
  type DurableIndexedDB,
} from "../../../../src/matrix/indexeddb/durable-indexeddb.js";
import {
  StoreInUseError,
  WrongPassphraseError,
} from "../../../../src/matrix/indexeddb/encrypted-journal.js";
import {
  copyAsAfterCrash,
  databaseNames,
  deleteDatabase,
  dumpDatabase,
  openDatabase,
  requestResult,
  transactionDone,
  write,
} from "./idb-helpers.js";

const passphrase = "correct horse battery staple";

/** A fresh directory per test, the stores opened in it, and a restart that keeps the data. */
function storeFixture(restart: "after a crash" | "after close") {
  const state = { directory: "" };
  const directories: string[] = [];
  const opened: DurableIndexedDB[] = [];

  async function open(options: { compactAfter?: number; passphrase?: string } = {}) {
    const durable = await openDurableIndexedDB({
      directory: state.directory,
      passphrase: options.passphrase ?? passphrase,
      keyDerivationCost: 12,
      ...(options.compactAfter === undefined ? {} : { compactAfter: options.compactAfter }),
    });
    opened.push(durable);
    return durable;
  }

  /**
   * Opens the store's data again in a new factory: after a clean close (snapshot), or from a copy
   * of the files as a kill at this moment would leave them (journal).
   */
  async function reopen(durable: DurableIndexedDB, compactAfter?: number) {
    if (restart === "after a crash") {
      state.directory = copyAsAfterCrash(state.directory);
      directories.push(state.directory);
    }
    durable.close();
    return open(compactAfter === undefined ? {} : { compactAfter });
  }

  beforeEach(function () {
    state.directory = mkdtempSync(join(tmpdir(), "dsx-idb-"));
    directories.push(state.directory);
  });

  afterEach(function () {
    for (const durable of opened.splice(0)) durable.close();
    for (const path of directories.splice(0)) rmSync(path, { recursive: true, force: true });
  });

  return { state, open, reopen };
}

for (const restart of ["after a crash", "after close"] as const) {
  describe(`durable IndexedDB, reopened ${restart}`, function () {
    const { open, reopen } = storeFixture(restart);

    it("keeps puts, deletes, clears, cursors and indexes across a reopen", async function () {
      let durable = await open();
      let db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        upgrading.createObjectStore("plain");
        const people = upgrading.createObjectStore("people", { keyPath: "id" });
        people.createIndex("byName", "name");
        people.createIndex("byEmail", "email", { unique: true });
        people.createIndex("byTag", "tags", { multiEntry: true });
        upgrading.createObjectStore("scratch");
      });
      const when = new Date(Date.UTC(2026, 0, 2));
      await write(db, ["plain", "people", "scratch"], (transaction) => {
        const plain = transaction.objectStore("plain");
        plain.put({ bytes: new Uint8Array([1, 2, 3]), when, map: new Map([["a", 1]]) }, "rich");
        plain.put("gone soon", "doomed");
        plain.put(1, ["compound", 1]);
        plain.put(2, ["compound", 2]);
        plain.put(new ArrayBuffer(4), new Uint8Array([9, 9]));
        const people = transaction.objectStore("people");
        people.put({ id: 1, name: "ana", email: "ana@x", tags: ["dsx", "abuse"] });
        people.put({ id: 2, name: "lee", email: "lee@x", tags: ["abuse"] });
        people.put({ id: 3, name: "ana", email: "ana2@x", tags: [] });
        transaction.objectStore("scratch").put("x", 1);
      });
      await write(db, ["plain", "people", "scratch"], (transaction) => {
        transaction.objectStore("plain").delete("doomed");
        transaction
          .objectStore("plain")
          .delete(durable.IDBKeyRange.bound(["compound", 2], ["compound", 9]));
        transaction
          .objectStore("people")
          .put({ id: 2, name: "lee", email: "lee@y", tags: ["dsx"] });
        transaction.objectStore("scratch").clear();
      });
      const before = await dumpDatabase(durable.factory, "app");
      db.close();

      durable = await reopen(durable);
      expect(await dumpDatabase(durable.factory, "app")).to.deep.equal(before);
      db = await openDatabase(durable.factory, "app");
      const transaction = db.transaction(["plain", "people", "scratch"], "readonly");
      const rich = (await requestResult(transaction.objectStore("plain").get("rich"))) as {
        bytes: Uint8Array;
        when: Date;
        map: Map<string, number>;
      };
      expect(rich.bytes).to.be.instanceOf(Uint8Array);
      expect([...rich.bytes]).to.deep.equal([1, 2, 3]);
      expect(rich.when.getTime()).to.equal(when.getTime());
      expect(rich.map.get("a")).to.equal(1);
      expect(await requestResult(transaction.objectStore("plain").get("doomed"))).to.equal(
        undefined,
      );
      expect(await requestResult(transaction.objectStore("plain").getAllKeys())).to.deep.equal([
        "rich",
        new Uint8Array([9, 9]).buffer,
        ["compound", 1],
      ]);
      const people = transaction.objectStore("people");
      expect(await requestResult(people.index("byName").getAllKeys("ana"))).to.deep.equal([1, 3]);
      expect(await requestResult(people.index("byEmail").getKey("lee@y"))).to.equal(2);
      expect(await requestResult(people.index("byEmail").getKey("lee@x"))).to.equal(undefined);
      expect(await requestResult(people.index("byTag").getAllKeys("dsx"))).to.deep.equal([1, 2]);
      expect(await requestResult(transaction.objectStore("scratch").count())).to.equal(0);
      const names: string[] = [];
      await new Promise<void>((resolve) => {
        const request = people.openCursor(null, "prev");
        request.onsuccess = () => {
          const cursor = request.result;
          if (cursor === null) {
            resolve();
            return;
          }
          names.push((cursor.value as { name: string }).name);
          cursor.continue();
        };
      });
      expect(names).to.deep.equal(["ana", "lee", "ana"]);
      await transactionDone(transaction);
      db.close();
    });

    it("keeps cursor updates and deletes", async function () {
      let durable = await open();
      const db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        upgrading.createObjectStore("items");
      });
      await write(db, "items", (transaction) => {
        for (let i = 0; i < 5; i++) transaction.objectStore("items").put({ n: i }, i);
      });
      await write(db, "items", (transaction) => {
        const request = transaction.objectStore("items").openCursor();
        request.onsuccess = () => {
          const cursor = request.result;
          if (cursor === null) return;
          const n = (cursor.value as { n: number }).n;
          if (n % 2 === 0) cursor.update({ n: n * 10 });
          else cursor.delete();
          cursor.continue();
        };
      });
      db.close();
      durable = await reopen(durable);
      const dump = await dumpDatabase(durable.factory, "app");
      expect(dump.stores.items?.records).to.deep.equal([
        [0, { n: 0 }],
        [2, { n: 20 }],
        [4, { n: 40 }],
      ]);
    });

    it("journals the keys a key generator assigned, and the generator itself", async function () {
      let durable = await open();
      let db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        upgrading.createObjectStore("log", { autoIncrement: true });
        upgrading.createObjectStore("rows", { keyPath: "id", autoIncrement: true });
      });
      const assigned: IDBValidKey[] = [];
      await write(db, ["log", "rows"], (transaction) => {
        for (const text of ["a", "b", "c"]) {
          const request = transaction.objectStore("log").add(text);
          request.onsuccess = () => assigned.push(request.result);
        }
        transaction.objectStore("rows").add({ text: "x" });
        transaction.objectStore("rows").add({ id: 10, text: "explicit" });
        transaction.objectStore("rows").add({ text: "after explicit" });
      });
      await write(db, "log", (transaction) => transaction.objectStore("log").delete(3));
      db.close();

      durable = await reopen(durable);
      db = await openDatabase(durable.factory, "app");
      expect(assigned).to.deep.equal([1, 2, 3]);
      const dump = await dumpDatabase(durable.factory, "app");
      expect(dump.stores.log?.records).to.deep.equal([
        [1, "a"],
        [2, "b"],
      ]);
      expect(dump.stores.rows?.records).to.deep.equal([
        [1, { text: "x", id: 1 }],
        [10, { id: 10, text: "explicit" }],
        [11, { text: "after explicit", id: 11 }],
      ]);
      let next: IDBValidKey | undefined;
      await write(db, "log", (transaction) => {
        const request = transaction.objectStore("log").add("d");
        request.onsuccess = () => (next = request.result);
      });
      // The deleted key 3 is not handed out again: the generator survived the restart.
      expect(next).to.equal(4);
      db.close();
    });

    it("replays schema upgrades: stores and indexes added and deleted", async function () {
      let durable = await open();
      let db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        const keep = upgrading.createObjectStore("keep", { keyPath: "id" });
        keep.createIndex("old", "old");
        upgrading.createObjectStore("drop");
      });
      await write(db, ["keep", "drop"], (transaction) => {
        transaction.objectStore("keep").put({ id: 1, old: "o", fresh: "f1" });
        transaction.objectStore("keep").put({ id: 2, old: "o", fresh: "f2" });
        transaction.objectStore("drop").put("x", "y");
      });
      db.close();
      durable = await reopen(durable);
      db = await openDatabase(durable.factory, "app", 2, (upgrading, transaction, oldVersion) => {
        expect(oldVersion).to.equal(1);
        upgrading.deleteObjectStore("drop");
        const keep = transaction.objectStore("keep");
        keep.deleteIndex("old");
        keep.createIndex("fresh", "fresh", { unique: true });
        upgrading.createObjectStore("added", { autoIncrement: true }).put("first");
        // A store deleted and created again in one upgrade starts empty.
        upgrading.createObjectStore("drop");
      });
      const before = await dumpDatabase(durable.factory, "app");
      db.close();

      durable = await reopen(durable);
      const after = await dumpDatabase(durable.factory, "app");
      expect(after).to.deep.equal(before);
      expect(after.version).to.equal(2);
      expect(Object.keys(after.stores).sort()).to.deep.equal(["added", "drop", "keep"]);
      expect(after.stores.drop?.records).to.deep.equal([]);
      expect(Object.keys(after.stores.keep?.indexes ?? {})).to.deep.equal(["fresh"]);
      expect(after.stores.keep?.indexEntries.fresh).to.deep.equal([
        ["f1", 1],
        ["f2", 2],
      ]);
      expect(after.stores.added?.records).to.deep.equal([[1, "first"]]);
    });

    it("leaves nothing of aborted transactions and aborted upgrades", async function () {
      let durable = await open();
      let db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        upgrading.createObjectStore("items");
      });
      await write(db, "items", (transaction) => transaction.objectStore("items").put("kept", 1));
      const aborted = db.transaction("items", "readwrite");
      aborted.objectStore("items").put("aborted", 2);
      aborted.objectStore("items").delete(1);
      const abortedDone = transactionDone(aborted);
      const put = aborted.objectStore("items").put("also aborted", 3);
      put.onsuccess = () => {
        aborted.abort();
      };
      await abortedDone.then(
        () => expect.fail("the transaction should abort"),
        () => undefined,
      );
      // A failed add (key exists) aborts its transaction too.
      const failing = db.transaction("items", "readwrite");
      failing.objectStore("items").put("before failure", 4);
      failing.objectStore("items").add("duplicate", 1);
      await transactionDone(failing).then(
        () => expect.fail("the transaction should abort"),
        (error: unknown) => expect((error as DOMException).name).to.equal("ConstraintError"),
      );
      db.close();
      await openDatabase(durable.factory, "app", 2, (upgrading, transaction) => {
        upgrading.createObjectStore("never");
        transaction.abort();
      }).then(
        () => expect.fail("the upgrade should abort"),
        () => undefined,
      );

      durable = await reopen(durable);
      const dump = await dumpDatabase(durable.factory, "app");
      expect(dump.version).to.equal(1);
      expect(Object.keys(dump.stores)).to.deep.equal(["items"]);
      expect(dump.stores.items?.records).to.deep.equal([[1, "kept"]]);
      db = await openDatabase(durable.factory, "app");
      db.close();
    });

    it("journals deleted databases", async function () {
      let durable = await open();
      for (const name of ["one", "two"]) {
        const db = await openDatabase(durable.factory, name, 1, (upgrading) => {
          upgrading.createObjectStore("s").put(name, name);
        });
        db.close();
      }
      await deleteDatabase(durable.factory, "one");
      durable = await reopen(durable);
      expect(await databaseNames(durable.factory)).to.deep.equal(["two"]);
      expect((await dumpDatabase(durable.factory, "two")).stores.s?.records).to.deep.equal([
        ["two", "two"],
      ]);
    });

    it("compacts into a snapshot without changing the visible state", async function () {
      let durable = await open({ compactAfter: 7 });
      const db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
        upgrading.createObjectStore("log", { autoIncrement: true }).createIndex("byN", "n");
      });
      for (let i = 0; i < 30; i++) {
        await write(db, "log", (transaction) => {
          transaction.objectStore("log").add({ n: i % 4, payload: new Uint8Array(i) });
          if (i % 5 === 0) transaction.objectStore("log").delete(i);
        });
      }
      // 31 transactions with a snapshot after every 7th: 3 rows since the last one.
      expect(durable.journalRows).to.equal(3);
      const before = await dumpDatabase(durable.factory, "app");
      db.close();
      expect(durable.compact()).to.equal(true);
      expect(durable.journalRows).to.equal(0);
      durable = await reopen(durable, 7);
      expect(await dumpDatabase(durable.factory, "app")).to.deep.equal(before);
    });
  });
}

describe("durable IndexedDB", function () {
  const { state, open } = storeFixture("after close");

  it("does not compact while a transaction has uncommitted writes", async function () {
    const durable = await open();
    const db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
      upgrading.createObjectStore("items");
    });
    const transaction = db.transaction("items", "readwrite");
    const done = transactionDone(transaction);
    const request = transaction.objectStore("items").put("pending", 1);
    const compactedMidway = await new Promise<boolean>((resolve) => {
      request.onsuccess = () => {
        resolve(durable.compact());
      };
    });
    await done;
    expect(compactedMidway).to.equal(false);
    expect(durable.compact()).to.equal(true);
    db.close();
  });

  it("refuses a wrong passphrase at open and stays readable with the right one", async function () {
    const durable = await open();
    const db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
      upgrading.createObjectStore("s").put("secret", 1);
    });
    db.close();
    durable.close();
    const wrong = openDurableIndexedDB({
      directory: state.directory,
      passphrase: "wrong",
      keyDerivationCost: 12,
    });
    await wrong.then(
      () => expect.fail("a wrong passphrase must be refused"),
      (error: unknown) => expect(error).to.be.instanceOf(WrongPassphraseError),
    );
    const again = await open();
    expect((await dumpDatabase(again.factory, "app")).stores.s?.records).to.deep.equal([
      [1, "secret"],
    ]);
  });

  it("refuses a second opener while the store is open", async function () {
    this.timeout(10_000);
    await open();
    await openDurableIndexedDB({
      directory: state.directory,
      passphrase,
      keyDerivationCost: 12,
    }).then(
      () => expect.fail("a second opener must be refused"),
      (error: unknown) => expect(error).to.be.instanceOf(StoreInUseError),
    );
  });

  it("writes no plaintext to the SQLite file or its WAL", async function () {
    const canary = "CANARY-e2ee-9f4c2b7d";
    const durable = await open();
    const db = await openDatabase(durable.factory, `db-${canary}`, 1, (upgrading) => {
      upgrading.createObjectStore(`store-${canary}`).createIndex(`index-${canary}`, "text");
    });
    await write(db, `store-${canary}`, (transaction) => {
      transaction
        .objectStore(`store-${canary}`)
        .put({ text: canary, long: canary.repeat(50) }, canary);
      transaction.objectStore(`store-${canary}`).put({ text: `ünïcödé ${canary}` }, "u");
    });
    db.close();
    const file = join(state.directory, DURABLE_INDEXEDDB_FILE);
    expect(existsSync(`${file}-wal`)).to.equal(true);
    // The search is able to find the canary in what the journal serializes, before encryption.
    const plaintext = serialize({ text: canary, other: `ünïcödé ${canary}` });
    expect(containsCanary(plaintext, canary)).to.equal(true);
    for (const path of [file, `${file}-wal`]) {
      expect(containsCanary(readFileSync(path), canary), path).to.equal(false);
    }
    durable.close();
    expect(containsCanary(readFileSync(file), canary)).to.equal(false);
  });

  it("aborts transactions that commit after close, and refuses to open databases", async function () {
    const durable = await open();
    const db = await openDatabase(durable.factory, "app", 1, (upgrading) => {
      upgrading.createObjectStore("items");
    });
    durable.close();
    await write(db, "items", (transaction) => transaction.objectStore("items").put("late", 1)).then(
      () => expect.fail("a commit after close must abort"),
      (error: unknown) => expect((error as DOMException).name).to.equal("UnknownError"),
    );
    const reads = db.transaction("items", "readonly");
    expect(await requestResult(reads.objectStore("items").get(1))).to.equal(undefined);
    db.close();
    expect(() => durable.factory.open("app")).to.throw(DOMException);
  });
});

function containsCanary(bytes: Buffer, canary: string): boolean {
  return (
    bytes.includes(Buffer.from(canary, "latin1")) || bytes.includes(Buffer.from(canary, "utf16le"))
  );
}
