import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

/**
 * When the DSX team approved a vulnerability's disclosure text (issue 20): nothing of it reaches
 * the community, advisory or public rooms before. Existing cases have none, so an unfinished one
 * waits for the team at step 3 as a new one does.
 */
export class DisclosureReview1764800000000 implements MigrationInterface {
  name = "DisclosureReview1764800000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      "vulnerability",
      new TableColumn({ name: "reviewedAt", type: "bigint", isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("vulnerability", "reviewedAt");
  }
}
