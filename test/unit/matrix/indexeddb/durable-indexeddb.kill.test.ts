import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { openDurableIndexedDB } from "../../../../src/matrix/indexeddb/durable-indexeddb.js";
import { RunningProcess } from "../../../support/processes.js";
import { openDatabase, requestResult, transactionDone } from "./idb-helpers.js";

const passphrase = "kill test passphrase";
const writer = fileURLToPath(new URL("./fixtures/numbered-writer.js", import.meta.url));

/** Reads the sequence back and checks that it is whole: 1..last in every store, nothing more. */
async function readSequence(directory: string): Promise<number> {
  const durable = await openDurableIndexedDB({ directory, passphrase });
  try {
    const db = await openDatabase(durable.factory, "sequence");
    const transaction = db.transaction(["numbers", "log", "meta"], "readonly");
    const last = ((await requestResult(transaction.objectStore("meta").get("last"))) ??
      0) as number;
    const numbers = await requestResult(transaction.objectStore("numbers").getAllKeys());
    const log = await requestResult(transaction.objectStore("log").getAll());
    const logKeys = await requestResult(transaction.objectStore("log").getAllKeys());
    await transactionDone(transaction);
    db.close();
    const expected = Array.from({ length: last }, (_, i) => i + 1);
    expect(numbers, "numbers store").to.deep.equal(expected);
    expect(log, "log values").to.deep.equal(expected);
    expect(logKeys, "log keys").to.deep.equal(expected);
    return last;
  } finally {
    durable.close();
  }
}

describe("durable IndexedDB under kill -9", function () {
  let directory: string;

  beforeEach(function () {
    directory = mkdtempSync(join(tmpdir(), "dsx-idb-kill-"));
  });

  afterEach(function () {
    rmSync(directory, { recursive: true, force: true });
  });

  it("keeps every transaction whose complete was seen, and no half of any", async function () {
    this.timeout(120_000);
    let confirmed = 0;
    for (let round = 0; round < 8; round++) {
      const child = RunningProcess.start(writer, [directory, passphrase, "100000"]);
      try {
        // Kill at a random moment: some numbers after the last round's, then a random delay.
        const target = confirmed + 5 + Math.floor(Math.random() * 80);
        await child.waitForLine(new RegExp(`^${target}$`), 60_000);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      } finally {
        child.child.kill("SIGKILL");
      }
      const result = await child.exited;
      expect(result.signal).to.equal("SIGKILL");
      const printed = result.stdout
        .split("\n")
        .filter((line) => /^\d+$/.test(line))
        .map(Number);
      const printedMax = Math.max(...printed);
      const last = await readSequence(directory);
      expect(last, `round ${round}: printed up to ${printedMax}`).to.be.at.least(printedMax);
      // At most the one transaction in flight at the kill may have committed unseen.
      expect(last).to.be.at.most(printedMax + 1);
      confirmed = last;
    }
  });
});
