import { Column, Entity, Index } from "typeorm";
import { Row } from "./row.js";

/** A sanction the abuse team decided (a warning, an expulsion), kept after the report closes. */
@Entity("sanction")
@Index("idx_sanction_user", ["userId"])
export class Sanction extends Row {
  @Column({ type: "varchar", length: 255 })
  userId!: string;

  @Column({ type: "varchar", length: 16 })
  kind!: "warning" | "expulsion";

  @Column({ type: "varchar", length: 32 })
  caseId!: string;
}
