import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/**
 * Limits on messages and reports (rate_mark), and the hash that tells a conduct report's
 * reporter apart from the others who reported the same person.
 */
export class Limits1764810000000 implements MigrationInterface {
  name = "Limits1764810000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "rate_mark",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          { name: "kind", type: "varchar", length: "32" },
          { name: "subject", type: "varchar", length: "64" },
          { name: "eventId", type: "varchar", length: "255" },
          { name: "at", type: "bigint" },
        ],
      }),
    );
    await queryRunner.createIndex(
      "rate_mark",
      new TableIndex({ name: "idx_rate_mark_subject", columnNames: ["kind", "subject", "at"] }),
    );
    await queryRunner.createIndex(
      "rate_mark",
      new TableIndex({
        name: "idx_rate_mark_event",
        columnNames: ["kind", "eventId"],
        isUnique: true,
      }),
    );
    // Reports made before have none: each counts as a reporter of its own.
    await queryRunner.addColumn(
      "conduct_report",
      new TableColumn({ name: "reporterHash", type: "varchar", length: "64", isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("conduct_report", "reporterHash");
    await queryRunner.dropTable("rate_mark");
  }
}
