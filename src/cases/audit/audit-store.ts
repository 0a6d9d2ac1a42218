import type { EntityManager } from "typeorm";
import { AuditEntry } from "../../store/entities/audit-entry.js";
import { Alert } from "../../store/entities/alert.js";
import { Incident } from "../../store/entities/incident.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import type { VulnerabilityStore } from "../vulnerabilities/vulnerability-store.js";

/** What the audit reads: a case's entries, and the case they are about (to decide who is named). */
export class AuditStore {
  constructor(private readonly vulnerabilities: VulnerabilityStore) {}

  /** The newest `count` entries of a case, newest first. */
  newest(manager: EntityManager, caseId: string, count: number): Promise<AuditEntry[]> {
    return manager.find(AuditEntry, { where: { caseId }, order: { id: "DESC" }, take: count });
  }

  incident(manager: EntityManager, caseId: string): Promise<Incident | null> {
    return manager.findOneBy(Incident, { caseId });
  }

  vulnerability(manager: EntityManager, caseId: string): Promise<Vulnerability | null> {
    return this.vulnerabilities.get(manager, caseId);
  }

  /** The case an alert was drawn from; null once its case closed (or for no such alert). */
  async sourceOfAlert(manager: EntityManager, caseId: string): Promise<string | null> {
    return (await manager.findOneBy(Alert, { caseId }))?.sourceCase ?? null;
  }

  /** The reporter of a vulnerability, opened. */
  reporterOf(vulnerability: Vulnerability): string {
    return this.vulnerabilities.open(vulnerability, "reporter");
  }
}
