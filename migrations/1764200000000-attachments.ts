import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Attachments of cases, sealed. */
export class Attachments1764200000000 implements MigrationInterface {
  name = "Attachments1764200000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "attachment",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          { name: "createdAt", type: "bigint" },
          { name: "updatedAt", type: "bigint" },
          { name: "caseId", type: "varchar", length: "32" },
          { name: "name", type: "text" },
          { name: "mimetype", type: "text" },
          { name: "size", type: "integer" },
          { name: "content", type: "text" },
        ],
      }),
    );
    await queryRunner.createIndex(
      "attachment",
      new TableIndex({ name: "idx_attachment_case", columnNames: ["caseId"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("attachment");
  }
}
