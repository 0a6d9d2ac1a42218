import { expect } from "chai";
import { createDataSource, openDatabase } from "../../../src/store/data-source.js";
import { migrations } from "../../../migrations/index.js";
import { HandledEvent, ScheduledJob } from "../../../src/store/entities/index.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

for (const kind of databaseKinds()) {
  describe(`store migrations on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;

    beforeEach(async () => {
      database = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await database.drop();
    });

    it("migrates an empty database up to a schema that matches the entities", async () => {
      const { dataSource, applied } = await openDatabase(database.location);
      try {
        expect(applied).to.deep.equal(migrations.map((m) => m.name));
        const pending = await dataSource.driver.createSchemaBuilder().log();
        expect(
          pending.upQueries.map((q) => q.query),
          "schema differs from the entities",
        ).to.deep.equal([]);
      } finally {
        await dataSource.destroy();
      }
    });

    it("applies nothing the second time, and keeps the data", async () => {
      const first = await openDatabase(database.location);
      await first.dataSource
        .getRepository(HandledEvent)
        .insert({ eventId: "$a", roomId: "!r:x", handledAt: 1_790_000_000_000 });
      await first.dataSource.destroy();
      const second = await openDatabase(database.location);
      try {
        expect(second.applied).to.deep.equal([]);
        const row = await second.dataSource
          .getRepository(HandledEvent)
          .findOneByOrFail({ eventId: "$a" });
        expect(row.handledAt).to.equal(1_790_000_000_000);
      } finally {
        await second.dataSource.destroy();
      }
    });

    it("round-trips times as exact milliseconds and stamps rows", async () => {
      const { dataSource } = await openDatabase(database.location);
      try {
        const jobs = dataSource.getRepository(ScheduledJob);
        const dueAt = Date.UTC(2026, 10, 22, 9, 30, 0, 123);
        const saved = await jobs.save(
          jobs.create({ kind: "test", dueAt, caseId: null, firedAt: null }),
        );
        const loaded = await jobs.findOneByOrFail({ id: saved.id });
        expect(loaded.dueAt).to.equal(dueAt);
        expect(loaded.firedAt).to.equal(null);
        expect(loaded.payload).to.equal("{}");
        expect(loaded.createdAt)
          .to.be.a("number")
          .and.be.greaterThan(Date.now() - 60_000);
      } finally {
        await dataSource.destroy();
      }
    });

    it("reverts every migration down to an empty schema", async () => {
      const { dataSource } = await openDatabase(database.location);
      try {
        for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration();
        const runner = dataSource.createQueryRunner();
        try {
          for (const table of [
            "handled_event",
            "audit_entry",
            "scheduled_job",
            "conversation",
            "person",
            "outgoing_message",
            "undecryptable_event",
            "incident",
            "case_counter",
            "attachment",
          ]) {
            expect(await runner.hasTable(table), table).to.equal(false);
          }
        } finally {
          await runner.release();
        }
      } finally {
        await dataSource.destroy();
      }
    });
  });
}

describe("store data source", () => {
  it("never synchronises the schema from the entities", () => {
    const dataSource = createDataSource({ type: "sqlite", path: ":memory:" });
    expect(dataSource.options.synchronize).to.equal(false);
    expect(dataSource.options.migrationsRun).to.equal(false);
  });
});
