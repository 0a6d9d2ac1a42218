import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { restoreDatabase, snapshotDatabase } from "../../../src/backup/database-snapshot.js";
import { keyOpeningDatabase } from "../../../src/store/data-key-check.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { Conversation, DataKeyCheck } from "../../../src/store/entities/index.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { rotateDataKey } from "../../../src/store/key-rotation.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

const newCipher = () => new FieldCipher(randomBytes(32));

for (const kind of databaseKinds()) {
  describe(`the data key check (${kind})`, function () {
    this.timeout(60_000);
    const made: TestDatabase[] = [];
    const database = async () => {
      const test = await createTestDatabase(kind);
      made.push(test);
      return (await openDatabase(test.location)).dataSource;
    };
    afterEach(async () => {
      for (const test of made.splice(0)) await test.drop();
    });

    it("takes the first key of a new database and refuses any other after it", async () => {
      const dataSource = await database();
      const [first, other] = [newCipher(), newCipher()];
      try {
        expect(await keyOpeningDatabase(dataSource, [first])).to.equal(first);
        expect(await keyOpeningDatabase(dataSource, [other])).to.equal(undefined);
        expect(await keyOpeningDatabase(dataSource, [other, first])).to.equal(first);
        const [check] = await dataSource.manager.find(DataKeyCheck);
        expect(check?.value).to.match(/^v1:/);
      } finally {
        await dataSource.destroy();
      }
    });

    it("judges a database from before the check by one of its sealed values", async () => {
      const dataSource = await database();
      const [right, wrong] = [newCipher(), newCipher()];
      try {
        const now = Date.now();
        await dataSource.manager.insert(Conversation, {
          roomId: "!dm:example.org",
          userId: "@maria:example.org",
          kind: "incident",
          step: "description",
          answers: right.encrypt("{}", "conversation.answers:!dm:example.org|@maria:example.org"),
          createdAt: now,
          updatedAt: now,
        });
        expect(await keyOpeningDatabase(dataSource, [wrong])).to.equal(undefined);
        expect(await dataSource.manager.count(DataKeyCheck), "no check for a wrong key").to.equal(
          0,
        );
        expect(await keyOpeningDatabase(dataSource, [right])).to.equal(right);
        expect(await keyOpeningDatabase(dataSource, [wrong])).to.equal(undefined);
      } finally {
        await dataSource.destroy();
      }
    });

    it("moves with a key rotation, and a restore brings the backup's check in place of another", async () => {
      const [old, rotated, other] = [newCipher(), newCipher(), newCipher()];
      const source = await database();
      const target = await database();
      try {
        await keyOpeningDatabase(source, [old]);
        await rotateDataKey(source, old, rotated);
        expect(await keyOpeningDatabase(source, [old])).to.equal(undefined);
        expect(await keyOpeningDatabase(source, [rotated])).to.equal(rotated);
        // `migrate` with another key ran on the empty target first.
        await keyOpeningDatabase(target, [other]);
        await restoreDatabase(target, await snapshotDatabase(source));
        expect(await keyOpeningDatabase(target, [other])).to.equal(undefined);
        expect(await keyOpeningDatabase(target, [rotated])).to.equal(rotated);
      } finally {
        await source.destroy();
        await target.destroy();
      }
    });
  });
}
