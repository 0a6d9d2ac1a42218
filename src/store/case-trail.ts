import { In, IsNull, Not, type EntityManager } from "typeorm";
import { AuditEntry } from "./entities/audit-entry.js";
import { OutgoingMessage } from "./entities/outgoing-message.js";
import { ScheduledJob } from "./entities/scheduled-job.js";

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

/**
 * What a closing case keeps of its scheduled jobs (every job names the people it was for): none,
 * fired or not, except those of `carryOut` still to fire. Those carry out a decision taken
 * before the close (a warning to deliver, a ban): dropping them would undo it unseen, while a
 * reminder or an offer of a closed case has nothing left to do. Such tasks are declared
 * `forgetWhenFired`, so that they too are gone once done.
 */
export async function forgetCaseJobs(
  manager: EntityManager,
  caseId: string,
  carryOut: readonly string[] = [],
): Promise<void> {
  if (carryOut.length === 0) {
    await manager.delete(ScheduledJob, { caseId });
    return;
  }
  await manager.delete(ScheduledJob, { caseId, kind: Not(In([...carryOut])) });
  await manager.delete(ScheduledJob, { caseId, firedAt: Not(IsNull()) });
}
