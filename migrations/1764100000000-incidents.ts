import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Incident tickets. */
export class Incidents1764100000000 implements MigrationInterface {
  name = "Incidents1764100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = (name: string, length?: string) => ({
      name,
      type: length === undefined ? "text" : "varchar",
      ...(length === undefined ? {} : { length }),
      isNullable: true,
    });
    await queryRunner.createTable(
      new Table({
        name: "incident",
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
          { name: "type", type: "varchar", length: "64" },
          { name: "state", type: "varchar", length: "16" },
          { name: "openedMonth", type: "varchar", length: "7" },
          text("closedMonth", "7"),
          text("urgency", "16"),
          text("label", "16"),
          text("language", "8"),
          text("region", "64"),
          text("reporterId", "255"),
          text("partnerOrg", "64"),
          text("providerOrg", "64"),
          text("reporterRoomId", "255"),
          text("ticketRoomId", "255"),
          text("participants"),
          { name: "consent", type: "boolean", isNullable: true },
          text("description"),
          text("measures"),
        ],
      }),
    );
    await queryRunner.createIndex(
      "incident",
      new TableIndex({ name: "idx_incident_case", columnNames: ["caseId"], isUnique: true }),
    );
    await queryRunner.createIndex(
      "incident",
      new TableIndex({ name: "idx_incident_state", columnNames: ["state"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("incident");
  }
}
