import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Alerts and private warnings; the times an incident took to be matched and closed. */
export class Alerts1764600000000 implements MigrationInterface {
  name = "Alerts1764600000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const optional = (name: string, type: string, length?: string) => ({
      name,
      type,
      isNullable: true,
      ...(length === undefined ? {} : { length }),
    });
    await queryRunner.createTable(
      new Table({
        name: "alert",
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
          { name: "kind", type: "varchar", length: "16" },
          { name: "label", type: "varchar", length: "16" },
          { name: "state", type: "varchar", length: "20" },
          optional("sourceCase", "varchar", "32"),
          optional("draftRoomId", "varchar", "255"),
          optional("author", "varchar", "255"),
          optional("recipientOrg", "varchar", "64"),
          optional("text", "text"),
          optional("kept", "text"),
          optional("approvals", "text"),
          optional("approvedVia", "varchar", "16"),
          optional("reason", "text"),
          optional("deliveryRoomId", "varchar", "255"),
          optional("postedMonth", "varchar", "7"),
          optional("postedAt", "bigint"),
        ],
      }),
    );
    await queryRunner.createIndex(
      "alert",
      new TableIndex({ name: "idx_alert_case", columnNames: ["caseId"], isUnique: true }),
    );
    await queryRunner.createIndex(
      "alert",
      new TableIndex({ name: "idx_alert_source", columnNames: ["sourceCase"] }),
    );
    await queryRunner.addColumns("incident", [
      new TableColumn(optional("matchedAt", "bigint")),
      new TableColumn(optional("hoursToMatch", "integer")),
      new TableColumn(optional("hoursToClose", "integer")),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("incident", "hoursToClose");
    await queryRunner.dropColumn("incident", "hoursToMatch");
    await queryRunner.dropColumn("incident", "matchedAt");
    await queryRunner.dropTable("alert");
  }
}
