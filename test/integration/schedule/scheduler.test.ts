import { expect } from "chai";
import type { DataSource } from "typeorm";
import { Scheduler, type ScheduledTask } from "../../../src/schedule/scheduler.js";
import { forgetCaseJobs } from "../../../src/store/case-trail.js";
import { AuditEntry } from "../../../src/store/entities/audit-entry.js";
import { ScheduledJob } from "../../../src/store/entities/scheduled-job.js";
import { transaction } from "../../../src/store/transaction.js";
import { databaseKinds, eachTestDatabase } from "../../support/databases.js";

const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child() {
    return silent;
  },
};

/** A task whose effect is an audit row, so "fired once" is a count in the database. */
function recording(kind: string, fail = () => false): ScheduledTask {
  return {
    kind,
    async execute(job, manager) {
      if (fail()) throw new Error("task failed");
      await manager.insert(AuditEntry, {
        actor: null,
        action: `fired.${kind}`,
        caseId: job.caseId,
        roomId: null,
        outcome: String(job.id),
        createdAt: 0,
        updatedAt: 0,
      });
    },
  };
}

for (const kind of databaseKinds()) {
  describe(`scheduler on ${kind}`, function () {
    this.timeout(60_000);
    let dataSource: DataSource;
    let now: number;
    const clock = () => now;

    eachTestDatabase(kind, (opened) => {
      ({ dataSource } = opened);
    });
    beforeEach(() => {
      now = Date.UTC(2026, 10, 22, 12);
    });

    const fired = async () =>
      (await dataSource.getRepository(AuditEntry).find({ order: { id: "ASC" } })).map(
        (a) => `${a.action}:${a.caseId ?? ""}`,
      );

    it("a closing case forgets its jobs but those carrying out its decisions, which go once fired", async () => {
      const scheduler = new Scheduler({
        dataSource,
        tasks: [recording("reminder"), { ...recording("warn"), forgetWhenFired: true }],
        log: silent,
        now: clock,
      });
      const caseId = "COC-2026-0001";
      await transaction(dataSource, async (m) => {
        await scheduler.schedule(m, { kind: "reminder", dueAt: now - 1000, caseId });
        await scheduler.schedule(m, { kind: "reminder", dueAt: now + 60_000, caseId });
        await scheduler.schedule(m, { kind: "warn", dueAt: now + 60_000, caseId });
        await scheduler.schedule(m, {
          kind: "reminder",
          dueAt: now + 60_000,
          caseId: "COC-2026-0002",
        });
      });
      await scheduler.start();
      await scheduler.stop();
      const kinds = async () =>
        (await dataSource.getRepository(ScheduledJob).find({ order: { id: "ASC" } })).map(
          (job) => `${job.kind}:${job.caseId ?? ""}:${job.firedAt === null ? "due" : "fired"}`,
        );
      await transaction(dataSource, (m) => forgetCaseJobs(m, caseId, ["warn"]));
      expect(await kinds()).to.deep.equal(["warn:COC-2026-0001:due", "reminder:COC-2026-0002:due"]);
      // The warning still goes after the close, and leaves no row behind.
      now += 60_000;
      const later = new Scheduler({
        dataSource,
        tasks: [recording("reminder"), { ...recording("warn"), forgetWhenFired: true }],
        log: silent,
        now: clock,
      });
      await later.start();
      await later.stop();
      expect(await fired()).to.include("fired.warn:COC-2026-0001");
      expect(await kinds()).to.deep.equal(["reminder:COC-2026-0002:fired"]);
      // A case that carries nothing out forgets all of its jobs.
      await transaction(dataSource, (m) => forgetCaseJobs(m, "COC-2026-0002"));
      expect(await kinds()).to.deep.equal([]);
    });

    it("fires what came due while it was down, once, in due order; a restart fires nothing again", async () => {
      const setup = new Scheduler({ dataSource, tasks: [], log: silent, now: clock });
      await transaction(dataSource, async (m) => {
        await setup.schedule(m, { kind: "reminder", dueAt: now - 1000, caseId: "VUL-2026-0002" });
        await setup.schedule(m, { kind: "reminder", dueAt: now - 5000, caseId: "VUL-2026-0001" });
        await setup.schedule(m, {
          kind: "reminder",
          dueAt: now + 3_600_000,
          caseId: "VUL-2026-0003",
        });
      });
      const first = new Scheduler({
        dataSource,
        tasks: [recording("reminder")],
        log: silent,
        now: clock,
      });
      await first.start();
      expect(await fired()).to.deep.equal([
        "fired.reminder:VUL-2026-0001",
        "fired.reminder:VUL-2026-0002",
      ]);
      expect(first.nextDelayMs).to.equal(3_600_000);
      await first.stop();
      const second = new Scheduler({
        dataSource,
        tasks: [recording("reminder")],
        log: silent,
        now: clock,
      });
      await second.start();
      expect(await fired()).to.have.length(2);
      now += 3_600_000;
      await second.wake();
      expect(await fired()).to.deep.equal([
        "fired.reminder:VUL-2026-0001",
        "fired.reminder:VUL-2026-0002",
        "fired.reminder:VUL-2026-0003",
      ]);
      expect(second.nextDelayMs).to.equal(undefined);
      await second.stop();
    });

    it("fires a job when its timer runs out", async () => {
      let signalFired = (): void => undefined;
      const firedOnce = new Promise<void>((resolve) => {
        signalFired = resolve;
      });
      const soon: ScheduledTask = {
        kind: "soon",
        execute: async (job, manager) => {
          await recording("soon").execute(job, manager, undefined);
          signalFired();
        },
      };
      const scheduler = new Scheduler({ dataSource, tasks: [soon], log: silent });
      await scheduler.start();
      await transaction(dataSource, (m) =>
        scheduler.schedule(m, { kind: "soon", dueAt: Date.now() + 50 }),
      );
      await scheduler.wake();
      expect(scheduler.nextDelayMs).to.be.greaterThan(0);
      await firedOnce;
      await scheduler.stop();
      expect(await fired()).to.deep.equal(["fired.soon:"]);
    });

    it("never fires a cancelled job, or one whose transaction rolled back", async () => {
      const scheduler = new Scheduler({
        dataSource,
        tasks: [recording("deadline")],
        log: silent,
        now: clock,
      });
      await transaction(dataSource, (m) =>
        scheduler.schedule(m, { kind: "deadline", dueAt: now - 1, caseId: "VUL-2026-0001" }),
      );
      await transaction(dataSource, (m) => scheduler.cancel(m, "VUL-2026-0001"));
      await transaction(dataSource, async (m) => {
        await scheduler.schedule(m, { kind: "deadline", dueAt: now - 1, caseId: "VUL-2026-0002" });
        throw new Error("roll back");
      }).catch(() => undefined);
      await scheduler.start();
      expect(await fired()).to.deep.equal([]);
      expect(await dataSource.getRepository(ScheduledJob).count()).to.equal(0);
      await scheduler.stop();
    });

    it("retries a failing task later, keeps firing the others, and leaves unknown kinds alone", async () => {
      let failing = true;
      const scheduler = new Scheduler({
        dataSource,
        tasks: [recording("flaky", () => failing), recording("steady")],
        log: silent,
        now: clock,
        retryMs: 60_000,
      });
      await transaction(dataSource, async (m) => {
        await scheduler.schedule(m, { kind: "flaky", dueAt: now - 3 });
        await scheduler.schedule(m, { kind: "mystery", dueAt: now - 2 });
        await scheduler.schedule(m, { kind: "steady", dueAt: now - 1 });
      });
      await scheduler.start();
      expect(await fired()).to.deep.equal(["fired.steady:"]);
      expect(scheduler.stats).to.include({ fired: 1, failed: 1 });
      expect(scheduler.nextDelayMs).to.equal(60_000);
      failing = false;
      now += 60_000;
      await scheduler.wake();
      expect(await fired()).to.deep.equal(["fired.steady:", "fired.flaky:"]);
      const mystery = await dataSource
        .getRepository(ScheduledJob)
        .findOneByOrFail({ kind: "mystery" });
      expect(mystery.firedAt).to.equal(null);
      await scheduler.stop();
    });

    it("fires 2,000 jobs that came due while down, each once", async () => {
      const scheduler = new Scheduler({
        dataSource,
        tasks: [recording("bulk")],
        log: silent,
        now: clock,
      });
      await transaction(dataSource, async (m) => {
        for (let i = 0; i < 2000; i++)
          await scheduler.schedule(m, { kind: "bulk", dueAt: now - 10_000 + (i % 97) });
      });
      await scheduler.start();
      expect(await dataSource.getRepository(AuditEntry).count()).to.equal(2000);
      expect(
        new Set((await dataSource.getRepository(AuditEntry).find()).map((a) => a.outcome)).size,
      ).to.equal(2000);
      expect(scheduler.stats.lastLagMs).to.be.at.least(0);
      await scheduler.stop();
    });

    it("waits years without overflowing the timer", async () => {
      const scheduler = new Scheduler({
        dataSource,
        tasks: [recording("far")],
        log: silent,
        now: clock,
      });
      await transaction(dataSource, (m) =>
        scheduler.schedule(m, { kind: "far", dueAt: now + 5 * 365 * 86_400_000 }),
      );
      await scheduler.start();
      expect(scheduler.nextDelayMs).to.equal(24 * 3600_000);
      await scheduler.stop();
      expect(await fired()).to.deep.equal([]);
    });
  });
}
