import { ticketLabel } from "../incidents/rules.js";
import type { EntityManager } from "typeorm";
import type { Directory } from "../../config/directory.js";
import type { TlpLabel } from "../../policy/tlp.js";
import type { AttachmentStore } from "../../store/attachment-store.js";
import type { Incident } from "../../store/entities/incident.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import type { IncidentStore } from "../incidents/incident-store.js";
import type { VulnerabilityStore } from "../vulnerabilities/vulnerability-store.js";
import { localpartOf, type KnownNames } from "./identifiers.js";

/** The case an alert is drawn from, as the alert workflow needs it. */
export interface AlertSource {
  readonly caseId: string;
  /** The label of what the draft room hears about the draft (it may still name people). */
  readonly label: TlpLabel;
  /** Who may draft: the ticket's participants, or (for a vulnerability) the DSX team. */
  mayDraft(userId: string): boolean;
  /** The people whose yes is the partner's: the reporting partner's, or the affected party's. */
  readonly approvers: readonly string[];
  /**
   * Where they are asked, and whose language that room hears: the ticket room (the reporter's),
   * or each of the affected party's direct rooms.
   */
  readonly asks: readonly { readonly roomId: string; readonly userId: string }[];
  /** A serious vulnerability whose affected party did not answer past step 1. */
  readonly advisoryMayApprove: boolean;
  /** The partner organisation the case is about (the reporter's, or the affected one). */
  readonly partnerOrg: string | null;
  /** The provider organisation working on an incident. */
  readonly providerOrg: string | null;
  readonly fileNames: readonly string[];
}

export interface SourceOptions {
  readonly incidents: IncidentStore;
  readonly vulnerabilities: VulnerabilityStore;
  readonly attachments: AttachmentStore;
  readonly directory: () => Directory;
  readonly botUserId: () => string;
}

/** Severities serious enough for the DSX team to share without the affected party's yes. */
const SERIOUS = ["high", "critical"];

/** Vulnerability states past step 1 of the disclosure schedule. */
const PAST_STEP_ONE = ["escalated", "awaiting-review", "disclosed", "published"];

/** Finds the incidents and vulnerabilities alerts are drawn from. */
export class AlertSources {
  constructor(private readonly o: SourceOptions) {}

  /** The open incident whose ticket room this is. */
  async ofTicketRoom(manager: EntityManager, roomId: string): Promise<AlertSource | undefined> {
    const incident = await this.o.incidents.byTicketRoom(manager, roomId);
    return incident ? this.fromIncident(manager, incident) : undefined;
  }

  async of(manager: EntityManager, caseId: string): Promise<AlertSource | undefined> {
    if (caseId.startsWith("INC-")) {
      const incident = await this.o.incidents.get(manager, caseId);
      return incident ? this.fromIncident(manager, incident) : undefined;
    }
    if (caseId.startsWith("VUL-")) {
      const vulnerability = await this.o.vulnerabilities.get(manager, caseId);
      return vulnerability ? this.fromVulnerability(vulnerability) : undefined;
    }
    return undefined;
  }

  /** The names a draft is scanned for: every organisation and person the directory knows. */
  knownNames(source: AlertSource, displayNames: readonly string[]): KnownNames {
    return knownNamesOf(this.o.directory(), displayNames, source.fileNames);
  }

  private async fromIncident(
    manager: EntityManager,
    incident: Incident,
  ): Promise<AlertSource | undefined> {
    if (incident.state === "closed" || incident.ticketRoomId === null) return undefined;
    const directory = this.o.directory();
    const participants = this.o.incidents.participants(incident, directory, this.o.botUserId());
    const partner = incident.partnerOrg;
    const ofPartner = (userId: string) =>
      userId === incident.reporterId ||
      (partner !== null &&
        (directory.organisationOf(userId)?.id === partner ||
          directory.affiliationsOf(userId).some((o) => o.id === partner)));
    const files = await this.o.attachments.list(manager, incident.caseId);
    return {
      caseId: incident.caseId,
      label: ticketLabel(incident),
      mayDraft: (userId) => participants.includes(userId),
      approvers: participants.filter(ofPartner),
      asks:
        incident.reporterId === null
          ? []
          : [{ roomId: incident.ticketRoomId, userId: incident.reporterId }],
      advisoryMayApprove: false,
      partnerOrg: partner,
      providerOrg: incident.providerOrg,
      fileNames: files.map((f) => f.name),
    };
  }

  private fromVulnerability(v: Vulnerability): AlertSource {
    const contacts = this.o.vulnerabilities.contacts(v);
    const pastStepOne =
      PAST_STEP_ONE.includes(v.state) || (v.escalateAt !== null && Date.now() >= v.escalateAt);
    return {
      caseId: v.caseId,
      label: "AMBER",
      mayDraft: (userId) => this.o.directory().isDsxTeam(userId),
      approvers: contacts.map((c) => c.userId),
      asks: contacts.flatMap((c) =>
        c.roomId === null ? [] : [{ roomId: c.roomId, userId: c.userId }],
      ),
      advisoryMayApprove: SERIOUS.includes(v.severity) && v.answeredAt === null && pastStepOne,
      partnerOrg: v.affectedOrg,
      providerOrg: null,
      fileNames: [],
    };
  }
}

/**
 * What the identifier scan looks for by name: every organisation and person the directory
 * knows, the display names given, and a case's file names.
 */
export function knownNamesOf(
  directory: Directory,
  displayNames: readonly string[],
  fileNames: readonly string[],
): KnownNames {
  const people = new Set<string>([
    ...directory.organisations.flatMap((o) => [...o.members, ...o.affiliates]),
    ...directory.abuseTeam,
    ...directory.advisoryCommittee,
  ]);
  return {
    organisations: directory.organisations.map((o) => ({ id: o.id, name: o.name })),
    people: [
      ...[...people].map((userId) => ({ userId, names: [localpartOf(userId)] })),
      { userId: "", names: displayNames },
    ],
    fileNames,
  };
}
