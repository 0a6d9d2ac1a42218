import { Column, Entity, PrimaryColumn } from "typeorm";
import { epochMillis } from "../columns.js";

/**
 * An inbound event the bot has handled. Written in the same transaction as the event's effects,
 * so that an event delivered again (after a crash, a replayed sync, a back-filled gap) is
 * recognised and not handled twice.
 */
@Entity("handled_event")
export class HandledEvent {
  @PrimaryColumn({ type: "varchar", length: 255 })
  eventId!: string;

  @Column({ type: "varchar", length: 255 })
  roomId!: string;

  @Column({ type: "bigint", transformer: epochMillis })
  handledAt!: number;
}
