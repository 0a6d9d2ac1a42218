import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

/** Offers to providers and ticket rooms: who has the offer, who declined, the summary posted. */
export class Offers1764300000000 implements MigrationInterface {
  name = "Offers1764300000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns("incident", [
      new TableColumn({ name: "offeredTo", type: "varchar", length: "64", isNullable: true }),
      new TableColumn({ name: "declinedBy", type: "text", isNullable: true }),
      new TableColumn({ name: "summaryPosted", type: "boolean", isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("incident", "summaryPosted");
    await queryRunner.dropColumn("incident", "declinedBy");
    await queryRunner.dropColumn("incident", "offeredTo");
  }
}
