import type { TlpLabel } from "../../policy/tlp.js";
import { tlpLabelColumn } from "../columns.js";
import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

export type OutgoingState = "pending" | "sent" | "refused" | "failed";

/**
 * A message the bot has decided to send. It is written in the same transaction as the decision
 * (and the inbound event that caused it), then sent; its transaction ID makes a send repeated
 * after a crash land once. The TLP check happens at send time against live membership. The
 * content is sealed and cleared once the message is sent or refused.
 */
@Entity("outgoing_message")
@Index("idx_outgoing_message_txn", ["txnId"], { unique: true })
@Index("idx_outgoing_message_state", ["state", "id"])
export class OutgoingMessage extends Row {
  @Column({ type: "varchar", length: 64 })
  txnId!: string;

  @Column({ type: "varchar", length: 255 })
  roomId!: string;

  /** The TLP label the message carries (RED, AMBER+STRICT, AMBER, GREEN, WHITE). */
  @Column({ type: "varchar", length: 16, transformer: tlpLabelColumn })
  label!: TlpLabel;

  @Column({ type: "varchar", length: 32, nullable: true })
  caseId!: string | null;

  /** Who asked for the message, to be told if it is refused. */
  @Column({ type: "varchar", length: 255, nullable: true })
  requester!: string | null;

  /** Sealed JSON of the event content; null once sent or refused. */
  @Column({ type: "text", nullable: true })
  content!: string | null;

  @Column({ type: "varchar", length: 16, default: "pending" })
  state!: OutgoingState;

  @Column({ type: "varchar", length: 255, nullable: true })
  eventId!: string | null;

  /** Why a send was refused, as a code (e.g. `outside-audience`). */
  @Column({ type: "varchar", length: 64, nullable: true })
  reason!: string | null;

  @Column({ type: "integer", default: 0 })
  attempts!: number;
}
