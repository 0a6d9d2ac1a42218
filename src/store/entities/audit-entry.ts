import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

/**
 * Who did what to which case, and every refused send and guard action: identifiers and codes
 * only, never contents (Retention and protection of data).
 */
@Entity("audit_entry")
@Index("idx_audit_entry_case", ["caseId"])
export class AuditEntry extends Row {
  /** The Matrix user who acted, or `null` for the bot's own decisions. */
  @Column({ type: "varchar", length: 255, nullable: true })
  actor!: string | null;

  /** What happened, as a stable code such as `send.refused` or `case.closed`. */
  @Column({ type: "varchar", length: 64 })
  action!: string;

  @Column({ type: "varchar", length: 32, nullable: true })
  caseId!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  roomId!: string | null;

  /** A code that qualifies the action, e.g. the reason a send was refused. */
  @Column({ type: "varchar", length: 64, nullable: true })
  outcome!: string | null;
}
