import { Table, type MigrationInterface, type QueryRunner } from "typeorm";

/** Case number counters, one row per kind and year. */
export class CaseCounters1764000000000 implements MigrationInterface {
  name = "CaseCounters1764000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "case_counter",
        columns: [
          { name: "kind", type: "varchar", length: "8", isPrimary: true },
          { name: "year", type: "integer", isPrimary: true },
          { name: "lastNumber", type: "integer" },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("case_counter");
  }
}
