import { expect } from "chai";
import type { DataSource } from "typeorm";
import { RateLimits, type Counted } from "../../../src/chat/rate-limits.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { RateMark } from "../../../src/store/entities/rate-mark.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

const cipher = new FieldCipher(Buffer.alloc(32, 3));
const limits = () =>
  new RateLimits({
    cipher,
    reports: () => ({ count: 2, withinMs: 60_000 }),
    messagesPerPerson: () => ({ count: 3, withinMs: 10_000 }),
    messagesPerRoom: () => ({ count: 4, withinMs: 10_000 }),
  });

let eventNumber = 0;
const event = (sender: string, roomId: string, direct: boolean): Counted => ({
  eventId: `$e${++eventNumber}`,
  sender,
  roomId,
  direct,
});

for (const kind of databaseKinds()) {
  describe(`chat/rate-limits on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let dataSource: DataSource;
    beforeEach(async () => {
      database = await createTestDatabase(kind);
      ({ dataSource } = await openDatabase(database.location));
    });
    afterEach(async () => {
      await dataSource.destroy();
      await database.drop();
    });

    it("takes a person's messages up to the limit, tells them once, then is silent until the window has passed", async () => {
      const { manager } = dataSource;
      const limiter = limits();
      const at = 1_000_000;
      for (let i = 0; i < 3; i++)
        expect(await limiter.message(manager, event("@a:x", "!dm", true), at + i)).to.equal(
          undefined,
        );
      const held = await limiter.message(manager, event("@a:x", "!dm", true), at + 5);
      expect(held).to.deep.include({ tell: true, whose: "person", retryAt: at + 10_000 });
      expect(held?.waitMs).to.equal(10_000 - 5);
      // Silence for the rest of the burst, in another room too; someone else is not held.
      expect(await limiter.message(manager, event("@a:x", "!dm", true), at + 6)).to.deep.include({
        tell: false,
      });
      expect(await limiter.message(manager, event("@a:x", "!other", true), at + 7)).to.deep.include(
        { tell: false },
      );
      expect(await limiter.message(manager, event("@b:x", "!dm2", true), at + 8)).to.equal(
        undefined,
      );
      // A restart (a new limiter on the same rows) does not end the burst.
      expect(await limits().message(manager, event("@a:x", "!dm", true), at + 9)).to.deep.include({
        tell: false,
      });
      // Once the first message has left the window, one more is taken; a new burst is told again.
      expect(await limiter.message(manager, event("@a:x", "!dm", true), at + 10_000)).to.equal(
        undefined,
      );
      expect(
        await limiter.message(manager, event("@a:x", "!dm", true), at + 10_000),
      ).to.deep.include({ tell: true });
    });

    it("counts an event handled twice once", async () => {
      const { manager } = dataSource;
      const limiter = limits();
      const again = event("@a:x", "!dm", true);
      for (let i = 0; i < 5; i++)
        expect(await limiter.message(manager, again, 1000 + i)).to.equal(undefined);
      expect(await manager.countBy(RateMark, { kind: "message" })).to.equal(1);
      const report = limiter.reportLimit(manager, "$report", "@a:x", 1000);
      await report.counted();
      await report.counted();
      expect(await report.held()).to.equal(undefined);
    });

    it("limits the commands of a shared room, whoever sends them; a direct room has only the person's limit", async () => {
      const { manager } = dataSource;
      const limiter = limits();
      for (const sender of ["@a:x", "@b:x", "@c:x", "@a:x"])
        expect(await limiter.message(manager, event(sender, "!public", false), 5000)).to.equal(
          undefined,
        );
      expect(await limiter.message(manager, event("@d:x", "!public", false), 5001)).to.deep.include(
        { whose: "room", tell: true },
      );
      expect(await limiter.message(manager, event("@e:x", "!public", false), 5002)).to.deep.include(
        { whose: "room", tell: false },
      );
      expect(await limiter.message(manager, event("@d:x", "!dm-d", true), 5003)).to.equal(
        undefined,
      );
    });

    it("holds a person's third report within the window, tells them and the team once, and keeps no user ID", async () => {
      const { manager } = dataSource;
      const limiter = limits();
      for (const id of ["$r1", "$r2"]) {
        const report = limiter.reportLimit(manager, id, "@a:x", 100);
        expect(await report.held()).to.equal(undefined);
        await report.counted();
      }
      expect(await limiter.reportLimit(manager, "$r3", "@a:x", 200).held()).to.deep.include({
        tell: true,
        retryAt: 60_100,
      });
      expect(await limiter.reportLimit(manager, "$r4", "@a:x", 300).held()).to.deep.include({
        tell: false,
      });
      // Spelt otherwise, the same person.
      expect(await limiter.reportLimit(manager, "$r5", "@A:x", 300).held()).to.deep.include({
        tell: false,
      });
      expect(await limiter.reportLimit(manager, "$r6", "@b:x", 300).held()).to.equal(undefined);
      expect(await limiter.reportLimit(manager, "$r7", "@a:x", 60_100).held()).to.equal(undefined);
      const rows = await manager.find(RateMark);
      expect(JSON.stringify(rows)).to.not.contain("@a:x").and.not.contain("@A:x");
    });
  });
}
