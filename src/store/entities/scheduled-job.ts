import { Column, Entity, Index } from "typeorm";
import { epochMillis } from "../columns.js";
import { Row } from "./row.js";

/**
 * A reminder or deadline. Timers die with the process; rows do not: on start every job that came
 * due while the bot was down fires once, and `firedAt` records that it did.
 */
@Entity("scheduled_job")
@Index("idx_scheduled_job_due", ["firedAt", "dueAt"])
export class ScheduledJob extends Row {
  /** Which task runs, e.g. `disclosure.reminder`. */
  @Column({ type: "varchar", length: 64 })
  kind!: string;

  @Column({ type: "bigint", transformer: epochMillis })
  dueAt!: number;

  @Column({ type: "varchar", length: 32, nullable: true })
  caseId!: string | null;

  /** Task parameters as JSON: identifiers and codes only. */
  @Column({ type: "text", default: "{}" })
  payload!: string;

  @Column({ type: "bigint", nullable: true, transformer: epochMillis })
  firedAt!: number | null;

  @Column({ type: "integer", default: 0 })
  attempts!: number;
}
