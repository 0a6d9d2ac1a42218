import { In, Not, type EntityManager } from "typeorm";
import { AuditEntry } from "./entities/audit-entry.js";
import { OutgoingMessage } from "./entities/outgoing-message.js";

/**
 * What a closing case leaves behind in the audit log and the outbox (Retention): its audit
 * entries keep what was done and lose who did it and where; the records of its sent messages
 * go, since they would only tie its rooms to it. A message still to be sent stays, for the
 * outbox to send (it unlinks a closing note once it is out).
 */
export async function forgetCaseTrail(
  manager: EntityManager,
  caseIds: readonly string[],
): Promise<void> {
  if (caseIds.length === 0) return;
  await manager.update(AuditEntry, { caseId: In(caseIds) }, { actor: null, roomId: null });
  await manager.delete(OutgoingMessage, { caseId: In(caseIds), state: Not("pending") });
}
