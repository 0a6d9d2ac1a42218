import { ticketLabel } from "../incidents/rules.js";
import type { EntityManager } from "typeorm";
import type { Directory } from "../../config/directory.js";
import { mostRestrictive, type TlpLabel } from "../../policy/tlp.js";
import { Alert } from "../../store/entities/alert.js";
import { Incident } from "../../store/entities/incident.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";
import type { VulnerabilityStore } from "../vulnerabilities/vulnerability-store.js";

/**
 * How triage's audit of a case names who acted: as the case's other messages to triage would.
 * Triage never learns who is in a RED ticket (only its type and urgency), nor who reported a
 * vulnerability without sharing their contact; there the audit names a role instead.
 */
export interface AuditAudience {
  /** The label the audit goes under: at least AMBER, never below the case. */
  readonly label: TlpLabel;
  /** What the audit shows for an entry's actor. */
  readonly actor: (userId: string | null) => string;
}

/** Roles shown in place of an ID (codes, like the rest of the audit's lines). */
export const ROLE = {
  bot: "bot",
  reporter: "the reporter",
  provider: "the provider",
  dsx: "DSX team",
  participant: "a participant",
} as const;

const BY_ID: AuditAudience = { label: "AMBER", actor: (userId) => userId ?? ROLE.bot };

/** The audience of `caseId`'s audit (an alert's is its source case's). */
export async function auditAudience(
  manager: EntityManager,
  caseId: string,
  directory: Directory,
  vulnerabilities: VulnerabilityStore,
): Promise<AuditAudience> {
  const source = caseId.startsWith("ALR-")
    ? ((await manager.findOneBy(Alert, { caseId }))?.sourceCase ?? null)
    : caseId;
  if (source?.startsWith("INC-")) {
    const incident = await manager.findOneBy(Incident, { caseId: source });
    return incident ? incidentAudience(incident, directory) : BY_ID;
  }
  if (source?.startsWith("VUL-")) {
    const vulnerability = await manager.findOneBy(Vulnerability, { caseId: source });
    return vulnerability ? vulnerabilityAudience(vulnerability, vulnerabilities) : BY_ID;
  }
  return BY_ID;
}

function incidentAudience(incident: Incident, directory: Directory): AuditAudience {
  const label = ticketLabel(incident);
  if (label !== "RED") return { label: mostRestrictive("AMBER", label), actor: BY_ID.actor };
  return {
    label: "AMBER",
    actor: (userId) => {
      if (userId === null) return ROLE.bot;
      if (userId === incident.reporterId) return ROLE.reporter;
      if (directory.isDsxTeam(userId)) return ROLE.dsx;
      const organisation = directory.organisationOf(userId)?.id;
      if (organisation !== undefined && organisation === incident.providerOrg) return ROLE.provider;
      return ROLE.participant;
    },
  };
}

function vulnerabilityAudience(
  vulnerability: Vulnerability,
  store: VulnerabilityStore,
): AuditAudience {
  // Not sharing their contact, the reporter is known to triage by role alone.
  if (vulnerability.shareContact) return BY_ID;
  const reporter = store.open(vulnerability, "reporter");
  return {
    label: "AMBER",
    actor: (userId) =>
      userId !== null && userId === reporter ? ROLE.reporter : BY_ID.actor(userId),
  };
}
