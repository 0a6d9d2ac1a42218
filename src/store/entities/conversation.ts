import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

/**
 * A guided conversation in progress (an intake dialogue): which question comes next and the
 * answers so far. Stored so that a restart mid-conversation continues where it was; the answers
 * are sealed with the data key and deleted when the conversation ends.
 */
@Entity("conversation")
@Index("idx_conversation_room_user", ["roomId", "userId"], { unique: true })
export class Conversation extends Row {
  @Column({ type: "varchar", length: 255 })
  roomId!: string;

  @Column({ type: "varchar", length: 255 })
  userId!: string;

  /** Which dialogue, e.g. `incident`. */
  @Column({ type: "varchar", length: 32 })
  kind!: string;

  /** The field the last question asked for (`org.dsx.prompt`). */
  @Column({ type: "varchar", length: 32 })
  step!: string;

  /** Sealed JSON of the answers (sensitive). */
  @Column({ type: "text" })
  answers!: string;
}
