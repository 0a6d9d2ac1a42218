import { BeforeInsert, BeforeUpdate, Column, PrimaryGeneratedColumn } from "typeorm";
import { epochMillis } from "../columns.js";

/** The base of most entities: a generated id and when the row was created and last changed. */
export abstract class Row {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "bigint", transformer: epochMillis })
  createdAt!: number;

  @Column({ type: "bigint", transformer: epochMillis })
  updatedAt!: number;

  @BeforeInsert()
  protected stampCreated(): void {
    const now = Date.now();
    this.createdAt = now;
    this.updatedAt = now;
  }

  @BeforeUpdate()
  protected stampUpdated(): void {
    this.updatedAt = Date.now();
  }
}
