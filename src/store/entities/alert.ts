import type { TlpLabel } from "../../policy/tlp.js";
import { tlpLabelColumn } from "../columns.js";
import { Column, Entity, Index } from "typeorm";
import { epochMillis } from "../columns.js";
import { Row } from "./row.js";

/** A community alert (GREEN or WHITE, to the alert rooms) or a private warning to a partner. */
export type AlertKind = "community" | "warning";

/**
 * `reviewing`: the author still has findings to edit or keep; `awaiting-approval`: the partner
 * (or the advisory quorum) is asked; `delivering`: a warning approved, its room being made and
 * joined; `posted` (or delivered); `refused` by the partner; `withdrawn` by the author.
 */
export type AlertState =
  "reviewing" | "awaiting-approval" | "delivering" | "posted" | "refused" | "withdrawn";

/**
 * Something drawn from a case to share beyond it, with the partner's approval (the Information
 * Handling Policy). The draft and what the author kept are sealed. When the case it came from
 * closes, an unposted draft is deleted and a posted one loses every link to the case.
 */
@Entity("alert")
@Index("idx_alert_case", ["caseId"], { unique: true })
@Index("idx_alert_source", ["sourceCase"])
export class Alert extends Row {
  @Column({ type: "varchar", length: 32 })
  caseId!: string;

  @Column({ type: "varchar", length: 16 })
  kind!: AlertKind;

  @Column({ type: "varchar", length: 16, transformer: tlpLabelColumn })
  label!: TlpLabel;

  @Column({ type: "varchar", length: 20 })
  state!: AlertState;

  /** The incident or vulnerability it was drawn from; null once that case is closed. */
  @Column({ type: "varchar", length: 32, nullable: true })
  sourceCase!: string | null;

  /** Where it was drafted (the ticket room, or triage). */
  @Column({ type: "varchar", length: 255, nullable: true })
  draftRoomId!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  author!: string | null;

  /** A warning's at-risk organisation. */
  @Column({ type: "varchar", length: 64, nullable: true })
  recipientOrg!: string | null;

  /** Sealed: the text. */
  @Column({ type: "text", nullable: true })
  text!: string | null;

  /** Sealed JSON list: the findings the author kept as harmless (lower case). */
  @Column({ type: "text", nullable: true })
  kept!: string | null;

  /** JSON list of the advisory committee members who approved. */
  @Column({ type: "text", nullable: true })
  approvals!: string | null;

  /** `partner`, `affected` (the affected party of a vulnerability) or `advisory`. */
  @Column({ type: "varchar", length: 16, nullable: true })
  approvedVia!: string | null;

  /** Sealed: why the DSX team acted without the partner (the advisory path). */
  @Column({ type: "text", nullable: true })
  reason!: string | null;

  /** A warning's room with the at-risk organisation. */
  @Column({ type: "varchar", length: 255, nullable: true })
  deliveryRoomId!: string | null;

  @Column({ type: "varchar", length: 7, nullable: true })
  postedMonth!: string | null;

  @Column({ type: "bigint", transformer: epochMillis, nullable: true })
  postedAt!: number | null;
}
