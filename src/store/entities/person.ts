import { Column, Entity, PrimaryColumn } from "typeorm";
import { epochMillis } from "../columns.js";

/** What the bot remembers about a person between conversations: only their language. */
@Entity("person")
export class Person {
  @PrimaryColumn({ type: "varchar", length: 255 })
  userId!: string;

  @Column({ type: "varchar", length: 8 })
  language!: string;

  @Column({ type: "bigint", transformer: epochMillis })
  updatedAt!: number;
}
