import { expect } from "chai";
import fc from "fast-check";
import { formatCaseId, nextCaseId, parseCaseId } from "../../../src/store/case-numbers.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { transaction } from "../../../src/store/transaction.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

describe("case ids", () => {
  it("format and parse round-trip, tolerant of letter case only", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("INC", "VUL", "COC", "ALR" as const),
        fc.integer({ min: 2000, max: 2999 }),
        fc.integer({ min: 1, max: 99_999 }),
        (kind, year, n) => {
          const id = formatCaseId(kind, year, n);
          expect(parseCaseId(id)).to.deep.equal({ kind, year, number: n, id });
          expect(parseCaseId(id.toLowerCase())?.id).to.equal(id);
        },
      ),
    );
    for (const bad of [
      "INC-2026-1",
      "INC-26-0001",
      "XYZ-2026-0001",
      "INC-2026-0000",
      "INC-2026-0001x",
      "INC 2026 0001",
      "",
    ]) {
      expect(parseCaseId(bad), bad).to.equal(undefined);
    }
    expect(formatCaseId("INC", 2026, 10_000)).to.equal("INC-2026-10000");
  });
});

for (const kind of databaseKinds()) {
  describe(`case numbers on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await database.drop();
    });

    it("counts up per kind and year, and starts again at 0001 in a new year", async () => {
      const { dataSource } = await openDatabase(database.location);
      try {
        const at = new Date(Date.UTC(2026, 10, 22));
        const ids = [];
        for (const k of ["INC", "INC", "VUL", "INC"] as const)
          ids.push(await transaction(dataSource, (m) => nextCaseId(m, k, at)));
        ids.push(
          await transaction(dataSource, (m) =>
            nextCaseId(m, "INC", new Date(Date.UTC(2027, 0, 1))),
          ),
        );
        expect(ids).to.deep.equal([
          "INC-2026-0001",
          "INC-2026-0002",
          "VUL-2026-0001",
          "INC-2026-0003",
          "INC-2027-0001",
        ]);
        // A rolled-back transaction's number may be given again; a committed one never.
        await dataSource
          .transaction(async (m) => {
            await nextCaseId(m, "ALR", at);
            throw new Error("roll back");
          })
          .catch(() => undefined);
        expect(await transaction(dataSource, (m) => nextCaseId(m, "ALR", at))).to.equal(
          "ALR-2026-0001",
        );
      } finally {
        await dataSource.destroy();
      }
    });

    it("never gives the same number to concurrent transactions", async () => {
      const { dataSource } = await openDatabase(database.location);
      try {
        const at = new Date(Date.UTC(2026, 5, 1));
        const ids = await Promise.all(
          Array.from({ length: 20 }, () =>
            transaction(dataSource, (m) => nextCaseId(m, "INC", at)),
          ),
        );
        expect(new Set(ids).size).to.equal(20);
        expect([...ids].sort()).to.deep.equal(
          Array.from({ length: 20 }, (_, i) => formatCaseId("INC", 2026, i + 1)),
        );
      } finally {
        await dataSource.destroy();
      }
    });
  });
}
