import { IsNull, type EntityManager } from "typeorm";
import { ScheduledJob } from "../store/entities/scheduled-job.js";
import type { Scheduler } from "./scheduler.js";

/**
 * A job that comes back every period (backups, the look for unfinished conversations): one row
 * is always pending, and each run schedules the next, so a run due while the bot was down
 * happens once at start and the period goes on from there.
 */
export class RecurringJob {
  constructor(
    private readonly kind: string,
    /** The period in ms (read each time: the configuration may change). */
    private readonly every: () => number,
    private readonly jobs: () => Pick<Scheduler, "schedule"> | undefined,
  ) {}

  /** At start: schedules a run now unless one is pending. */
  async ensurePending(manager: EntityManager, now: number): Promise<void> {
    const pending = await manager.countBy(ScheduledJob, { kind: this.kind, firedAt: IsNull() });
    if (pending === 0) await this.jobs()?.schedule(manager, { kind: this.kind, dueAt: now });
  }

  /** After a run: the next, a period after the last was due and never in the past. */
  async scheduleNext(manager: EntityManager, lastDue: number): Promise<void> {
    const every = Math.max(1000, this.every());
    let next = lastDue + every;
    const now = Date.now();
    if (next <= now) next = now + every;
    await this.jobs()?.schedule(manager, { kind: this.kind, dueAt: next });
  }
}
