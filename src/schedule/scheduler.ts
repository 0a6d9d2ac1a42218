import { scheduleJob, type Job } from "node-schedule";
import { In, IsNull, LessThanOrEqual, type DataSource, type EntityManager } from "typeorm";
import type { Logger } from "../log/log.js";
import { ScheduledJob } from "../store/entities/scheduled-job.js";
import { homeserverFailed } from "../failures/homeserver-errors.js";
import { logRetriedFailure, storageUnavailable } from "../failures/storage-errors.js";
import { transaction } from "../store/transaction.js";

/** A kind of durable job, declared as data: what runs when a job of this kind comes due. */
export interface ScheduledTask {
  readonly kind: string;
  /**
   * Network work before the transaction (creating a room, say), so that the write transaction
   * is not held while waiting for the homeserver. It must be safe to repeat: a crash before the
   * transaction commits runs it again (find what the last attempt made before making it anew).
   */
  prepare?(job: ScheduledJob): Promise<unknown>;
  /** Runs in the transaction that marks the job fired: its effects and `firedAt` commit together. */
  execute(job: ScheduledJob, manager: EntityManager, prepared: unknown): Promise<void>;
  /**
   * Deleted as it fires instead of kept as fired: a job that names a person and that nothing
   * reads once done (it may outlive its case, see `forgetCaseJobs`).
   */
  readonly forgetWhenFired?: boolean;
}

/** A text field of a job's payload (empty when it is absent or not text). */
export function payloadText(job: ScheduledJob, key: string): string {
  const value = (JSON.parse(job.payload) as Record<string, unknown>)[key];
  return typeof value === "string" ? value : "";
}

/** A list of a job's payload, stored as words separated by spaces (user IDs, say). */
export function payloadList(job: ScheduledJob, key: string): string[] {
  return payloadText(job, key).split(" ").filter(Boolean);
}

/** A task whose `prepare` hands a typed result to its `execute`. */
export function defineTask<P>(task: {
  readonly kind: string;
  readonly forgetWhenFired?: boolean;
  prepare(job: ScheduledJob): Promise<P>;
  execute(job: ScheduledJob, manager: EntityManager, prepared: P): Promise<void>;
}): ScheduledTask {
  return {
    kind: task.kind,
    ...(task.forgetWhenFired === true ? { forgetWhenFired: true } : {}),
    prepare: (job) => task.prepare(job),
    execute: (job, manager, prepared) => task.execute(job, manager, prepared as P),
  };
}

export interface SchedulerOptions {
  readonly dataSource: DataSource;
  readonly tasks: readonly ScheduledTask[];
  readonly log: Logger;
  /** After a job fired (its effects may have queued messages). */
  readonly afterFired?: () => void;
  readonly now?: () => number;
  /** Delay before a failed job is tried again (doubles with each attempt, up to a day). */
  readonly retryMs?: number;
}

/** Timers are re-armed at least this often (so a clock change is noticed within a day). */
const MAX_TIMER_MS = 24 * 3600_000;
const MAX_RETRY_MS = 24 * 3600_000;
/** Longest wait between tries of a job the homeserver failed. */
const HOMESERVER_RETRY_MAX_MS = 60_000;
/** How soon jobs are tried again after the database could not be used. */
const STORAGE_RETRY_MS = 2_000;

/**
 * Durable time (invariant 5): every reminder and deadline is a `scheduled_job` row; one timer
 * waits for the earliest. On start every job that came due while the bot was down fires, once,
 * in due order. A job is marked fired in the transaction of its effects, so a crash either
 * keeps both or neither, and a restart never fires a committed job again.
 */
export class Scheduler {
  /** node-schedule's job for the next due time (it waits beyond setTimeout's 24.8 days too). */
  private timer: Job | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Jobs were added since the last wake (so `wakeIfScheduled` has something to arm). */
  private scheduledSinceWake = false;
  private readonly tasks: ReadonlyMap<string, ScheduledTask>;
  private readonly now: () => number;
  /** Counts for the metrics endpoint. */
  readonly stats = { fired: 0, failed: 0, lastLagMs: 0 };

  constructor(private readonly options: SchedulerOptions) {
    this.tasks = new Map(options.tasks.map((task) => [task.kind, task]));
    this.now = options.now ?? Date.now;
  }

  /** Adds a job in the caller's transaction; call `wake()` after that transaction commits. */
  async schedule(
    manager: EntityManager,
    job: {
      kind: string;
      dueAt: number;
      caseId?: string;
      payload?: Record<string, string | number | boolean>;
    },
  ): Promise<number> {
    const now = this.now();
    const result = await manager.insert(ScheduledJob, {
      kind: job.kind,
      dueAt: Math.round(job.dueAt),
      caseId: job.caseId ?? null,
      payload: JSON.stringify(job.payload ?? {}),
      firedAt: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    });
    this.scheduledSinceWake = true;
    return (result.identifiers[0] as { id: number }).id;
  }

  /** Removes the pending jobs of a case (of one kind, or all), in the caller's transaction. */
  async cancel(manager: EntityManager, caseId: string, kind?: string): Promise<void> {
    await manager.delete(ScheduledJob, {
      caseId,
      firedAt: IsNull(),
      ...(kind === undefined ? {} : { kind }),
    });
  }

  /** Fires what came due while the bot was down, then waits for the next job. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.wake();
  }

  /**
   * `wake()` if jobs were scheduled since the last wake; otherwise the armed timer already
   * waits for the earliest job (after each handled event this saves two queries).
   */
  wakeIfScheduled(): Promise<void> {
    return this.scheduledSinceWake ? this.wake() : Promise.resolve();
  }

  /** Fires due jobs and re-arms the timer (after new jobs were committed, or when it fires). */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.scheduledSinceWake = false;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.fireDue()
      .then(() => this.arm())
      .catch((error: unknown) => {
        const problem = logRetriedFailure(this.options.log, error, {
          waiting: "the scheduler cannot use the database; will try again",
          failed: "the scheduler failed; will try again",
        });
        // A storage problem is not the jobs' fault: they stay due and are tried again soon,
        // attempts unchanged.
        const retryMs = this.options.retryMs ?? 60_000;
        this.armIn(problem === undefined ? retryMs : Math.min(STORAGE_RETRY_MS, retryMs));
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.wake();
        }
      });
    return this.running;
  }

  /** Stops the timer and waits for the job in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Whether `stop()` was called (read afresh: it changes while a batch of jobs fires). */
  private isStopped(): boolean {
    return this.stopped;
  }

  /** The delay the timer is set to now (undefined when nothing is pending), for tests. */
  nextDelayMs: number | undefined;

  private async fireDue(): Promise<void> {
    const repository = this.options.dataSource.getRepository(ScheduledJob);
    const skipped = new Set<number>();
    for (;;) {
      if (this.stopped) return;
      const due = await repository.find({
        where: { firedAt: IsNull(), dueAt: LessThanOrEqual(this.now()) },
        // Due jobs of unknown kinds are reported once per run and skipped.
        order: { dueAt: "ASC", id: "ASC" },
        take: 50,
      });
      const batch = due.filter((j) => !skipped.has(j.id));
      if (batch.length === 0) return;
      // The whole batch before the next query (a backlog of thousands after a long downtime).
      // Consecutive jobs without network work fire together, in one transaction (one disk sync
      // for many jobs); a job with `prepare` fires alone, in its place in due order.
      let together: [ScheduledTask, ScheduledJob][] = [];
      for (const job of batch) {
        const task = this.tasks.get(job.kind);
        if (!task) {
          this.options.log.error("a scheduled job of an unknown kind is left as it is", {
            jobId: String(job.id),
            reason: job.kind,
          });
          skipped.add(job.id);
        } else if (task.prepare) {
          await this.fireTogether(together);
          together = [];
          if (this.isStopped()) return;
          await this.fire(task, job);
        } else {
          together.push([task, job]);
        }
      }
      await this.fireTogether(together);
      // Database work resolves without waiting for I/O: without this turn of the event loop a
      // backlog would hold up syncing and sending (people's messages) until it is all fired.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Fires jobs in one transaction, each checked still pending, its effects and its `firedAt`
   * committed together as when it fires alone. If one fails, the transaction is rolled back and
   * each fires alone (so only the failing one is retried later).
   */
  private async fireTogether(jobs: readonly [ScheduledTask, ScheduledJob][]): Promise<void> {
    if (this.isStopped() || jobs.length === 0) return;
    const [first] = jobs;
    if (jobs.length === 1 && first) {
      await this.fire(...first);
      return;
    }
    const fired: ScheduledJob[] = [];
    try {
      await transaction(this.options.dataSource, async (manager) => {
        for (const [task, job] of jobs) {
          const current = await manager.findOneBy(ScheduledJob, { id: job.id, firedAt: IsNull() });
          if (!current) continue; // cancelled or fired meanwhile
          await task.execute(current, manager, undefined);
          await this.markFired(manager, task, current);
          fired.push(job);
        }
      });
    } catch {
      for (const [task, job] of jobs) {
        if (this.isStopped()) return;
        await this.fire(task, job);
      }
      return;
    }
    for (const job of fired) this.firedOne(job);
  }

  /** In the job's transaction: fired (or gone, for a task that forgets its jobs when fired). */
  private async markFired(
    manager: EntityManager,
    task: ScheduledTask,
    job: ScheduledJob,
  ): Promise<void> {
    if (task.forgetWhenFired === true) {
      await manager.delete(ScheduledJob, { id: job.id });
      return;
    }
    const firedAt = this.now();
    await manager.update(
      ScheduledJob,
      { id: job.id },
      { firedAt, attempts: job.attempts + 1, updatedAt: firedAt },
    );
  }

  private async fire(task: ScheduledTask, job: ScheduledJob): Promise<void> {
    const { dataSource, log } = this.options;
    try {
      const prepared = task.prepare ? await task.prepare(job) : undefined;
      await transaction(dataSource, async (manager) => {
        const current = await manager.findOneBy(ScheduledJob, { id: job.id, firedAt: IsNull() });
        if (!current) return; // cancelled or fired meanwhile
        await task.execute(current, manager, prepared);
        await this.markFired(manager, task, current);
      });
      this.firedOne(job);
    } catch (error) {
      if (storageUnavailable(error) !== undefined) throw error; // see wake()
      this.stats.failed++;
      const attempts = job.attempts + 1;
      // A homeserver that failed (a dropped connection, a restart, a 5xx) is tried again within
      // seconds, up to a minute apart: the job itself is not at fault.
      const delay = homeserverFailed(error)
        ? Math.min(HOMESERVER_RETRY_MAX_MS, 1000 * 2 ** Math.min(attempts - 1, 10))
        : Math.min(
            MAX_RETRY_MS,
            (this.options.retryMs ?? 60_000) * 2 ** Math.min(attempts - 1, 20),
          );
      log.warn("a scheduled job failed; will try again", {
        jobId: String(job.id),
        ...(job.caseId === null ? {} : { caseId: job.caseId }),
        attempt: attempts,
        ms: delay,
        error,
      });
      await transaction(dataSource, (manager) =>
        manager.update(
          ScheduledJob,
          { id: job.id },
          { attempts, dueAt: this.now() + delay, updatedAt: this.now() },
        ),
      );
    }
  }

  private firedOne(job: ScheduledJob): void {
    this.stats.fired++;
    this.options.log.debug("fired a job", {
      jobId: String(job.id),
      reason: job.kind,
      ...(job.caseId === null ? {} : { caseId: job.caseId }),
    });
    this.options.afterFired?.();
    this.stats.lastLagMs = Math.max(0, this.now() - job.dueAt);
  }

  private async arm(): Promise<void> {
    const next = await this.options.dataSource
      .getRepository(ScheduledJob)
      // Only kinds this bot knows: a job of an unknown kind must not keep the timer spinning.
      .findOne({
        where: { firedAt: IsNull(), kind: In([...this.tasks.keys()]) },
        order: { dueAt: "ASC", id: "ASC" },
      });
    if (!next) {
      this.timer?.cancel();
      this.timer = undefined;
      this.nextDelayMs = undefined;
      return;
    }
    this.armIn(next.dueAt - this.now());
  }

  private armIn(delay: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.nextDelayMs = Math.min(MAX_TIMER_MS, Math.max(0, delay));
    const at = new Date(Date.now() + this.nextDelayMs);
    // node-schedule takes no time already past (it returns null): that fires on the next turn.
    // (Its types say it always returns a job; for a past date it returns null.)
    const job = scheduleJob(at, () => void this.wake()) as Job | null;
    this.timer = job ?? undefined;
    if (this.timer === undefined) setImmediate(() => void this.wake());
  }
}
