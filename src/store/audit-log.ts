import type { EntityManager } from "typeorm";
import { AuditEntry } from "./entities/audit-entry.js";

/** One audit line: who did what to which case where, as codes (never contents). */
export interface AuditRecord {
  readonly actor: string | null;
  readonly action: string;
  readonly caseId?: string | null;
  readonly roomId?: string | null;
  readonly outcome?: string | null;
}

/** Appends to the audit log within the caller's transaction. */
export async function audit(manager: EntityManager, record: AuditRecord): Promise<void> {
  await manager.insert(AuditEntry, {
    actor: record.actor,
    action: record.action,
    caseId: record.caseId ?? null,
    roomId: record.roomId ?? null,
    outcome: record.outcome ?? null,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  });
}
