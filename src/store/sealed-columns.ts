import type { EntityTarget, ObjectLiteral } from "typeorm";
import { Alert } from "./entities/alert.js";
import { Attachment } from "./entities/attachment.js";
import { ConductReport } from "./entities/conduct-report.js";
import { Conversation } from "./entities/conversation.js";
import { DataKeyCheck } from "./entities/data-key-check.js";
import { Incident } from "./entities/incident.js";
import { OutgoingMessage } from "./entities/outgoing-message.js";
import { UndecryptableEvent } from "./entities/undecryptable-event.js";
import { Vulnerability } from "./entities/vulnerability.js";

/**
 * A column whose values are sealed with the data key (FieldCipher), and the associated data
 * each value is bound to: the place it belongs (`<table>.<column>:<row>`), built here exactly as
 * the stores build it. Key rotation re-seals every one of them; the README's data inventory
 * names them.
 */
export interface SealedColumn {
  readonly entity: EntityTarget<ObjectLiteral>;
  readonly table: string;
  readonly column: string;
  context(row: Record<string, unknown>): string;
}

const text = (row: Record<string, unknown>, key: string) => String(row[key]);

const byCase = (
  entity: EntityTarget<ObjectLiteral>,
  table: string,
  columns: readonly string[],
): SealedColumn[] =>
  columns.map((column) => ({
    entity,
    table,
    column,
    context: (row) => `${table}.${column}:${text(row, "caseId")}`,
  }));

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  ...byCase(Incident, "incident", ["description", "measures"]),
  ...byCase(Vulnerability, "vulnerability", [
    "reporter",
    "reporterRoom",
    "credit",
    "description",
    "evidence",
    "objections",
  ]),
  ...byCase(ConductReport, "conduct_report", ["details", "handlers", "notes"]),
  ...byCase(Alert, "alert", ["text", "kept", "reason"]),
  ...["name", "mimetype", "content"].map((column): SealedColumn => ({
    entity: Attachment,
    table: "attachment",
    column,
    context: (row) => `attachment.${column}:${text(row, "caseId")}:${text(row, "id")}`,
  })),
  {
    entity: Conversation,
    table: "conversation",
    column: "answers",
    context: (row) => `conversation.answers:${text(row, "roomId")}|${text(row, "userId")}`,
  },
  {
    entity: OutgoingMessage,
    table: "outgoing_message",
    column: "content",
    context: (row) => `outgoing_message.content:${text(row, "txnId")}`,
  },
  {
    entity: DataKeyCheck,
    table: "data_key_check",
    column: "value",
    context: (row) => `data_key_check.value:${text(row, "id")}`,
  },
  {
    entity: UndecryptableEvent,
    table: "undecryptable_event",
    column: "event",
    context: (row) => `undecryptable_event.event:${text(row, "eventId")}`,
  },
];

/** Fields of scheduled jobs' payloads that hold free text, sealed (a warning's message). */
export const SEALED_PAYLOAD_FIELDS = ["message"] as const;

/** Where a sealed payload field belongs: its job's case. */
export function payloadContext(field: (typeof SEALED_PAYLOAD_FIELDS)[number], caseId: string) {
  return `scheduled_job.${field}:${caseId}`;
}
