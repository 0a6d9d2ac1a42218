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

/**
 * The core tables: handled events (idempotency), the audit log, durable jobs, conversations,
 * people's languages, the outbox and undecryptable events.
 */
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
    await queryRunner.createTable(
      new Table({
        name: "conversation",
        columns: [
          id,
          ...stamps,
          { name: "roomId", type: "varchar", length: "255" },
          { name: "userId", type: "varchar", length: "255" },
          { name: "kind", type: "varchar", length: "32" },
          { name: "step", type: "varchar", length: "32" },
          { name: "answers", type: "text" },
        ],
      }),
    );
    await queryRunner.createIndex(
      "conversation",
      new TableIndex({
        name: "idx_conversation_room_user",
        columnNames: ["roomId", "userId"],
        isUnique: true,
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "person",
        columns: [
          { name: "userId", type: "varchar", length: "255", isPrimary: true },
          { name: "language", type: "varchar", length: "8" },
          { name: "updatedAt", type: "bigint" },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "outgoing_message",
        columns: [
          id,
          ...stamps,
          { name: "txnId", type: "varchar", length: "64" },
          { name: "roomId", type: "varchar", length: "255" },
          { name: "label", type: "varchar", length: "16" },
          { name: "caseId", type: "varchar", length: "32", isNullable: true },
          { name: "requester", type: "varchar", length: "255", isNullable: true },
          { name: "content", type: "text", isNullable: true },
          { name: "state", type: "varchar", length: "16", default: "'pending'" },
          { name: "eventId", type: "varchar", length: "255", isNullable: true },
          { name: "reason", type: "varchar", length: "64", isNullable: true },
          { name: "attempts", type: "integer", default: 0 },
        ],
      }),
    );
    await queryRunner.createIndex(
      "outgoing_message",
      new TableIndex({ name: "idx_outgoing_message_txn", columnNames: ["txnId"], isUnique: true }),
    );
    await queryRunner.createIndex(
      "outgoing_message",
      new TableIndex({ name: "idx_outgoing_message_state", columnNames: ["state", "id"] }),
    );
    await queryRunner.createTable(
      new Table({
        name: "undecryptable_event",
        columns: [
          { name: "eventId", type: "varchar", length: "255", isPrimary: true },
          { name: "roomId", type: "varchar", length: "255" },
          { name: "sender", type: "varchar", length: "255" },
          { name: "event", type: "text" },
          { name: "firstSeenAt", type: "bigint" },
          { name: "attempts", type: "integer", default: 0 },
          { name: "resendAskedAt", type: "bigint", isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["undecryptable_event", "outgoing_message", "person", "conversation"]) {
      await queryRunner.dropTable(table);
    }
    await queryRunner.dropTable("scheduled_job");
    await queryRunner.dropTable("audit_entry");
    await queryRunner.dropTable("handled_event");
  }
}
