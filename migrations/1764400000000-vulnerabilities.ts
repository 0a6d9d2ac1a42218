import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Vulnerability reports and their disclosure schedule. */
export class Vulnerabilities1764400000000 implements MigrationInterface {
  name = "Vulnerabilities1764400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = (name: string, isNullable = false) => ({ name, type: "text", isNullable });
    const time = (name: string, isNullable = false) => ({ name, type: "bigint", isNullable });
    await queryRunner.createTable(
      new Table({
        name: "vulnerability",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          time("createdAt"),
          time("updatedAt"),
          { name: "caseId", type: "varchar", length: "32" },
          { name: "state", type: "varchar", length: "16" },
          { name: "severity", type: "varchar", length: "16" },
          { name: "affectedOrg", type: "varchar", length: "64", isNullable: true },
          text("contacts"),
          text("reporter"),
          text("reporterRoom"),
          text("credit", true),
          { name: "shareContact", type: "boolean" },
          text("description"),
          text("evidence"),
          { name: "language", type: "varchar", length: "8" },
          time("notifiedAt"),
          time("seenAt", true),
          time("answeredAt", true),
          time("respondBy"),
          time("escalateAt", true),
          time("discloseAt"),
          text("approvals"),
          text("objections", true),
        ],
      }),
    );
    await queryRunner.createIndex(
      "vulnerability",
      new TableIndex({ name: "idx_vulnerability_case", columnNames: ["caseId"], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("vulnerability");
  }
}
