import { ticketLabel } from "../incidents/rules.js";
import type { EntityManager } from "typeorm";
import type { Directory } from "../../config/directory.js";
import { mostRestrictive, type TlpLabel } from "../../policy/tlp.js";
import type { Incident } from "../../store/entities/incident.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import type { AuditStore } from "./audit-store.js";

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
  store: AuditStore,
): Promise<AuditAudience> {
  const source = caseId.startsWith("ALR-") ? await store.sourceOfAlert(manager, caseId) : caseId;
  if (source?.startsWith("INC-")) {
    const incident = await store.incident(manager, source);
    return incident ? incidentAudience(incident, directory) : BY_ID;
  }
  if (source?.startsWith("VUL-")) {
    const vulnerability = await store.vulnerability(manager, source);
    return vulnerability ? vulnerabilityAudience(vulnerability, store) : BY_ID;
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
  store: Pick<AuditStore, "reporterOf">,
): AuditAudience {
  // Not sharing their contact, the reporter is known to triage by role alone.
  if (vulnerability.shareContact) return BY_ID;
  const reporter = store.reporterOf(vulnerability);
  return {
    label: "AMBER",
    actor: (userId) =>
      userId !== null && userId === reporter ? ROLE.reporter : BY_ID.actor(userId),
  };
}
