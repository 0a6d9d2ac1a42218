import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { epochMillis } from "../columns.js";

/** What a mark counts or remembers (see {@link RateMark}). */
export type RateMarkKind =
  "message" | "room-message" | "report" | "message-told" | "room-message-told" | "report-told";

/**
 * One message or report counted against a limit, or the one answer given to someone over it.
 * Rows, not memory, so that a burst is still held back after a restart; the subject is a keyed
 * hash of the person or room, as the counts need to tell people apart, not to name them. Rows
 * are deleted once their window has passed.
 */
@Entity("rate_mark")
@Index("idx_rate_mark_subject", ["kind", "subject", "at"])
@Index("idx_rate_mark_event", ["kind", "eventId"], { unique: true })
export class RateMark {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "varchar", length: 32 })
  kind!: RateMarkKind;

  /** HMAC of the person's user ID or the room's ID. */
  @Column({ type: "varchar", length: 64 })
  subject!: string;

  /** The event counted: the same event handled again is not counted twice. */
  @Column({ type: "varchar", length: 255 })
  eventId!: string;

  /** When it was counted; for a `…-told` mark, until when no second answer is given. */
  @Column({ type: "bigint", transformer: epochMillis })
  at!: number;
}
