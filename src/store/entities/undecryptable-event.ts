import { Column, Entity, PrimaryColumn } from "typeorm";
import { epochMillis } from "../columns.js";

/**
 * An encrypted event the bot could not decrypt yet. It is never dropped: it is kept (sealed),
 * retried when keys arrive, the key is requested again, and after a while the sender is asked
 * to send it again.
 */
@Entity("undecryptable_event")
export class UndecryptableEvent {
  @PrimaryColumn({ type: "varchar", length: 255 })
  eventId!: string;

  @Column({ type: "varchar", length: 255 })
  roomId!: string;

  @Column({ type: "varchar", length: 255 })
  sender!: string;

  /** Sealed JSON of the encrypted event as received. */
  @Column({ type: "text" })
  event!: string;

  @Column({ type: "bigint", transformer: epochMillis })
  firstSeenAt!: number;

  @Column({ type: "integer", default: 0 })
  attempts!: number;

  /** When the sender was asked to resend, or null if not yet. */
  @Column({ type: "bigint", nullable: true, transformer: epochMillis })
  resendAskedAt!: number | null;
}
