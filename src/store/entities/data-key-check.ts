import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A known text sealed with the data key (one row, id 1): a key that does not open it is not
 * the key the database's sealed values were made with.
 */
@Entity("data_key_check")
export class DataKeyCheck {
  @PrimaryColumn({ type: "integer" })
  id!: number;

  @Column({ type: "text" })
  value!: string;
}
