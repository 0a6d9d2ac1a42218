import {
  Table,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from "typeorm";

const id: TableColumnOptions = {
  name: "id",
  type: "integer",
  isPrimary: true,
  isGenerated: true,
  generationStrategy: "increment",
};
const stamps: TableColumnOptions[] = [
  { name: "createdAt", type: "bigint" },
  { name: "updatedAt", type: "bigint" },
];

/** The core tables: handled events (idempotency), the audit log, durable jobs. */
export class Initial1763800000000 implements MigrationInterface {
  name = "Initial1763800000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "handled_event",
        columns: [
          { name: "eventId", type: "varchar", length: "255", isPrimary: true },
          { name: "roomId", type: "varchar", length: "255" },
          { name: "handledAt", type: "bigint" },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "audit_entry",
        columns: [
          id,
          ...stamps,
          { name: "actor", type: "varchar", length: "255", isNullable: true },
          { name: "action", type: "varchar", length: "64" },
          { name: "caseId", type: "varchar", length: "32", isNullable: true },
          { name: "roomId", type: "varchar", length: "255", isNullable: true },
          { name: "outcome", type: "varchar", length: "64", isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      "audit_entry",
      new TableIndex({ name: "idx_audit_entry_case", columnNames: ["caseId"] }),
    );
    await queryRunner.createTable(
      new Table({
        name: "scheduled_job",
        columns: [
          id,
          ...stamps,
          { name: "kind", type: "varchar", length: "64" },
          { name: "dueAt", type: "bigint" },
          { name: "caseId", type: "varchar", length: "32", isNullable: true },
          { name: "payload", type: "text", default: "'{}'" },
          { name: "firedAt", type: "bigint", isNullable: true },
          { name: "attempts", type: "integer", default: 0 },
        ],
      }),
    );
    await queryRunner.createIndex(
      "scheduled_job",
      new TableIndex({ name: "idx_scheduled_job_due", columnNames: ["firedAt", "dueAt"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("scheduled_job");
    await queryRunner.dropTable("audit_entry");
    await queryRunner.dropTable("handled_event");
  }
}
