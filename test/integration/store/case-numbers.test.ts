import { expect } from "chai";
import type { DataSource } from "typeorm";
import { formatCaseId, nextCaseId } from "../../../src/store/case-numbers.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { CaseCounter } from "../../../src/store/entities/case-counter.js";
import { transaction } from "../../../src/store/transaction.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

const JUNE_2026 = new Date(Date.UTC(2026, 5, 1));
const incidents = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => formatCaseId("INC", 2026, from + i));

/** Polls `condition` until it holds; fails after the deadline. */
async function until(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

for (const kind of databaseKinds()) {
  describe(`store/case-numbers on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    const open: DataSource[] = [];
    const connect = async () => {
      const { dataSource } = await openDatabase(database.location);
      open.push(dataSource);
      return dataSource;
    };
    beforeEach(async () => {
      database = await createTestDatabase(kind);
    });
    afterEach(async () => {
      for (const dataSource of open.splice(0)) await dataSource.destroy();
      await database.drop();
    });

    it("counts up per kind and year, and starts again at 0001 in a new year", async () => {
      const dataSource = await connect();
      const at = new Date(Date.UTC(2026, 10, 22));
      const ids = [];
      for (const k of ["INC", "INC", "VUL", "INC", "COC", "ALR"] as const)
        ids.push(await transaction(dataSource, (m) => nextCaseId(m, k, at)));
      ids.push(
        await transaction(dataSource, (m) => nextCaseId(m, "INC", new Date(Date.UTC(2027, 0, 1)))),
      );
      // The year is the UTC year: 23:59 on 31 December UTC is still 2026.
      ids.push(
        await transaction(dataSource, (m) =>
          nextCaseId(m, "INC", new Date(Date.UTC(2026, 11, 31, 23, 59))),
        ),
      );
      expect(ids).to.deep.equal([
        "INC-2026-0001",
        "INC-2026-0002",
        "VUL-2026-0001",
        "INC-2026-0003",
        "COC-2026-0001",
        "ALR-2026-0001",
        "INC-2027-0001",
        "INC-2026-0004",
      ]);
    });

    it("keeps counting after a restart and past 9999; only a rolled-back number comes again", async () => {
      const first = await connect();
      expect(await transaction(first, (m) => nextCaseId(m, "INC", JUNE_2026))).to.equal(
        "INC-2026-0001",
      );
      await first.destroy();
      open.splice(open.indexOf(first), 1);

      const dataSource = await connect();
      expect(await transaction(dataSource, (m) => nextCaseId(m, "INC", JUNE_2026))).to.equal(
        "INC-2026-0002",
      );
      await dataSource.getRepository(CaseCounter).update(
        { kind: "INC", year: 2026 },
        {
          lastNumber: 9998,
        },
      );
      const past = [];
      for (let i = 0; i < 2; i++)
        past.push(await transaction(dataSource, (m) => nextCaseId(m, "INC", JUNE_2026)));
      expect(past).to.deep.equal(["INC-2026-9999", "INC-2026-10000"]);

      await dataSource
        .transaction(async (m) => {
          expect(await nextCaseId(m, "INC", JUNE_2026)).to.equal("INC-2026-10001");
          throw new Error("roll back");
        })
        .catch((error: unknown) => {
          if (!(error instanceof Error) || error.message !== "roll back") throw error;
        });
      expect(await transaction(dataSource, (m) => nextCaseId(m, "INC", JUNE_2026))).to.equal(
        "INC-2026-10001",
      );
    });

    it("gives 20 transactions started at once 20 distinct, contiguous numbers", async () => {
      const dataSource = await connect();
      const ids = await Promise.all(
        Array.from({ length: 20 }, () =>
          transaction(dataSource, (m) => nextCaseId(m, "INC", JUNE_2026)),
        ),
      );
      expect([...ids].sort()).to.deep.equal(incidents(1, 20));
    });

    if (kind === "postgres") {
      it("gives 20 truly concurrent transactions of two processes distinct, contiguous numbers", async () => {
        // Not through transaction(), which queues a data source's transactions: here they overlap,
        // on two connection pools as two bot processes would have.
        const pools = [await connect(), await connect()];
        const ids = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            pools[i % 2]!.transaction((m) => nextCaseId(m, "INC", JUNE_2026)),
          ),
        );
        expect([...ids].sort()).to.deep.equal(incidents(1, 20));
      });

      it("makes a second transaction wait for the first's number to commit, then gives the next", async () => {
        const dataSource = await connect();
        await transaction(dataSource, (m) => nextCaseId(m, "INC", JUNE_2026));
        const first = dataSource.createQueryRunner();
        await first.connect();
        try {
          await first.startTransaction();
          expect(await nextCaseId(first.manager, "INC", JUNE_2026)).to.equal("INC-2026-0002");
          let secondDone = false;
          const second = dataSource
            .transaction((m) => nextCaseId(m, "INC", JUNE_2026))
            .finally(() => {
              secondDone = true;
            });
          await until(async () => {
            const rows = await dataSource.query<{ waiting: string }[]>(
              `SELECT count(*) AS waiting FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'
                 AND query LIKE '%case_counter%'`,
            );
            return Number(rows[0]?.waiting) === 1;
          }, "the second transaction waits on the counter's lock");
          expect(secondDone).to.equal(false);
          await first.commitTransaction();
          expect(await second).to.equal("INC-2026-0003");
        } finally {
          if (first.isTransactionActive) await first.rollbackTransaction();
          await first.release();
        }
      });
    }

    if (kind === "sqlite") {
      it("refuses a second connection's number while the first's is uncommitted, never repeats it", async () => {
        const [one, two] = [await connect(), await connect()];
        // Fail at once instead of waiting: better-sqlite3 would wait synchronously, blocking
        // this very process, whose first connection is the one that has to commit.
        await two.query("PRAGMA busy_timeout = 0");
        const first = one.createQueryRunner();
        try {
          await first.startTransaction();
          expect(await nextCaseId(first.manager, "INC", JUNE_2026)).to.equal("INC-2026-0001");
          let refusal: unknown;
          await transaction(two, (m) => nextCaseId(m, "INC", JUNE_2026)).catch((error: unknown) => {
            refusal = error;
          });
          expect(String(refusal)).to.match(/SQLITE_BUSY|database is locked/);
          await first.commitTransaction();
          expect(await transaction(two, (m) => nextCaseId(m, "INC", JUNE_2026))).to.equal(
            "INC-2026-0002",
          );
          expect(await transaction(one, (m) => nextCaseId(m, "INC", JUNE_2026))).to.equal(
            "INC-2026-0003",
          );
        } finally {
          if (first.isTransactionActive) await first.rollbackTransaction();
          await first.release();
        }
      });
    }
  });
}
