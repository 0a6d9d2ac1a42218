import { Table, type MigrationInterface, type QueryRunner } from "typeorm";

/** One value sealed with the data key, so that a start with another key is refused. */
export class DataKeyCheck1764700000000 implements MigrationInterface {
  name = "DataKeyCheck1764700000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "data_key_check",
        columns: [
          { name: "id", type: "integer", isPrimary: true },
          { name: "value", type: "text" },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("data_key_check");
  }
}
