import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Code of Conduct reports and sanctions. */
export class Conduct1764500000000 implements MigrationInterface {
  name = "Conduct1764500000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = {
      name: "id",
      type: "integer",
      isPrimary: true,
      isGenerated: true,
      generationStrategy: "increment" as const,
    };
    const stamps = [
      { name: "createdAt", type: "bigint" },
      { name: "updatedAt", type: "bigint" },
    ];
    await queryRunner.createTable(
      new Table({
        name: "conduct_report",
        columns: [
          id,
          ...stamps,
          { name: "caseId", type: "varchar", length: "32" },
          { name: "state", type: "varchar", length: "16" },
          { name: "openedMonth", type: "varchar", length: "7" },
          { name: "closedMonth", type: "varchar", length: "7", isNullable: true },
          { name: "outcome", type: "varchar", length: "32", isNullable: true },
          { name: "namedHash", type: "varchar", length: "64", isNullable: true },
          { name: "anonymous", type: "boolean", isNullable: true },
          { name: "details", type: "text", isNullable: true },
          { name: "handlers", type: "text", isNullable: true },
          { name: "roomId", type: "varchar", length: "255", isNullable: true },
          { name: "notes", type: "text", isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      "conduct_report",
      new TableIndex({ name: "idx_conduct_report_case", columnNames: ["caseId"], isUnique: true }),
    );
    await queryRunner.createIndex(
      "conduct_report",
      new TableIndex({ name: "idx_conduct_report_named", columnNames: ["namedHash"] }),
    );
    await queryRunner.createTable(
      new Table({
        name: "sanction",
        columns: [
          id,
          ...stamps,
          { name: "userId", type: "varchar", length: "255" },
          { name: "kind", type: "varchar", length: "16" },
          { name: "caseId", type: "varchar", length: "32" },
        ],
      }),
    );
    await queryRunner.createIndex(
      "sanction",
      new TableIndex({ name: "idx_sanction_user", columnNames: ["userId"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("sanction");
    await queryRunner.dropTable("conduct_report");
  }
}
