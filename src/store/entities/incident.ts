import type { TlpLabel } from "../../policy/tlp.js";
import { tlpLabelColumn } from "../columns.js";
import { Column, Entity, Index } from "typeorm";
import { epochMillis } from "../columns.js";
import { Row } from "./row.js";

export type IncidentState = "new" | "offered" | "in-progress" | "waiting" | "resolved" | "closed";

/**
 * An incident ticket. While open it holds what the exchange needs, the free texts sealed with the
 * data key; closing keeps only its number, type and the months it opened and closed (the Code of
 * Practice: "Incident information (other than number and type of incidents) will be deleted").
 */
@Entity("incident")
@Index("idx_incident_case", ["caseId"], { unique: true })
@Index("idx_incident_state", ["state"])
export class Incident extends Row {
  @Column({ type: "varchar", length: 32 })
  caseId!: string;

  @Column({ type: "varchar", length: 64 })
  type!: string;

  @Column({ type: "varchar", length: 16 })
  state!: IncidentState;

  /** `YYYY-MM`, kept after closing for statistics. */
  @Column({ type: "varchar", length: 7 })
  openedMonth!: string;

  @Column({ type: "varchar", length: 7, nullable: true })
  closedMonth!: string | null;

  /** Whole hours from report to a provider's accepting, and to closing: kept for statistics. */
  @Column({ type: "integer", nullable: true })
  hoursToMatch!: number | null;

  @Column({ type: "integer", nullable: true })
  hoursToClose!: number | null;

  // Everything below is deleted (set to null) when the incident closes.

  @Column({ type: "varchar", length: 16, nullable: true })
  urgency!: string | null;

  /** The ticket's TLP label. */
  @Column({ type: "varchar", length: 16, nullable: true, transformer: tlpLabelColumn })
  label!: TlpLabel | null;

  /** The reporter's language and the partner's region: what matching may use. */
  @Column({ type: "varchar", length: 8, nullable: true })
  language!: string | null;

  @Column({ type: "varchar", length: 64, nullable: true })
  region!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  reporterId!: string | null;

  @Column({ type: "varchar", length: 64, nullable: true })
  partnerOrg!: string | null;

  @Column({ type: "varchar", length: 64, nullable: true })
  providerOrg!: string | null;

  /** The reporter's direct-message room with the bot. */
  @Column({ type: "varchar", length: 255, nullable: true })
  reporterRoomId!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  ticketRoomId!: string | null;

  /** JSON list of the people party to the exchange (besides the bot). */
  @Column({ type: "text", nullable: true })
  participants!: string | null;

  @Column({ type: "boolean", nullable: true })
  consent!: boolean | null;

  /** Sealed. */
  @Column({ type: "text", nullable: true })
  description!: string | null;

  /** Sealed. */
  @Column({ type: "text", nullable: true })
  measures!: string | null;

  /** The provider organisation that has the open offer, if any. */
  @Column({ type: "varchar", length: 64, nullable: true })
  offeredTo!: string | null;

  /** JSON list of the provider organisations that declined or let an offer lapse. */
  @Column({ type: "text", nullable: true })
  declinedBy!: string | null;

  /** When a provider accepted (the hours to match are kept from it at closing). */
  @Column({ type: "bigint", transformer: epochMillis, nullable: true })
  matchedAt!: number | null;

  /** Whether the summary has been posted in the ticket room (once its people joined). */
  @Column({ type: "boolean", nullable: true })
  summaryPosted!: boolean | null;
}
