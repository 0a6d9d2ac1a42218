import { Column, Entity, PrimaryColumn } from "typeorm";

/** The last case number given out per kind and year: numbers are never reused. */
@Entity("case_counter")
export class CaseCounter {
  @PrimaryColumn({ type: "varchar", length: 8 })
  kind!: string;

  @PrimaryColumn({ type: "integer" })
  year!: number;

  @Column({ type: "integer" })
  lastNumber!: number;
}
