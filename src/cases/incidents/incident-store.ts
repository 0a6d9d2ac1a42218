import type { EntityManager } from "typeorm";
import { Not } from "typeorm";
import { z } from "zod";
import type { AudienceDirectory, Exchange } from "../../policy/audience.js";
import {
  currentParticipants,
  type Admission,
  type Participant,
} from "../../policy/participation.js";
import { forgetCaseJobs, forgetCaseTrail } from "../../store/case-trail.js";
import { Attachment } from "../../store/entities/attachment.js";
import { monthStart } from "../../store/columns.js";
import { Incident } from "../../store/entities/incident.js";
import type { FieldCipher } from "../../store/field-cipher.js";
import { jsonCodec } from "../../store/stored-json.js";
import type { IncidentReport } from "./intake.js";
import { ticketLabel, ticketUrgency } from "./rules.js";

/** What is known of the reporter when an incident is opened. */
export interface Reporter {
  readonly userId: string;
  readonly roomId: string;
  readonly organisation: string | null;
  readonly language: string;
  readonly region: string | null;
}

/** Incident tickets, with their free texts sealed (bound to the case id). */
export class IncidentStore {
  constructor(private readonly cipher: FieldCipher) {}

  async open(
    manager: EntityManager,
    caseId: string,
    report: IncidentReport,
    reporter: Reporter,
    at: Date,
  ): Promise<Incident> {
    const now = at.getTime();
    const incident = manager.create(Incident, {
      caseId,
      type: report.type,
      state: "new",
      openedMonth: at.toISOString().slice(0, 7),
      closedMonth: null,
      hoursToMatch: null,
      hoursToClose: null,
      matchedAt: null,
      urgency: report.urgency,
      label: report.label,
      language: reporter.language,
      region: reporter.region,
      reporterId: reporter.userId,
      partnerOrg: reporter.organisation,
      providerOrg: null,
      reporterRoomId: reporter.roomId,
      ticketRoomId: null,
      participants: JSON.stringify([{ userId: reporter.userId, via: "reporter" }]),
      consent: report.consent,
      description: this.cipher.encrypt(report.description, context(caseId, "description")),
      measures: this.cipher.encrypt(report.measures, context(caseId, "measures")),
      createdAt: now,
      updatedAt: now,
    });
    return manager.save(incident);
  }

  get(manager: EntityManager, caseId: string): Promise<Incident | null> {
    return manager.findOneBy(Incident, { caseId });
  }

  /** The open incident whose ticket room this is. */
  byTicketRoom(manager: EntityManager, roomId: string): Promise<Incident | null> {
    return manager.findOneBy(Incident, { ticketRoomId: roomId, state: Not("closed") });
  }

  /** Changes some of an open incident's fields, in the caller's transaction. */
  async update(
    manager: EntityManager,
    incident: Incident,
    changes: Partial<
      Pick<
        Incident,
        | "state"
        | "providerOrg"
        | "offeredTo"
        | "ticketRoomId"
        | "summaryPosted"
        | "matchedAt"
        | "label"
        | "participants"
        | "declinedBy"
      >
    >,
  ): Promise<void> {
    await manager.update(Incident, { id: incident.id }, { ...changes, updatedAt: Date.now() });
    Object.assign(incident, changes);
  }

  /** Everyone recorded as party to the exchange, and how they came in. */
  records(incident: Incident): Participant[] {
    return readParticipants(incident.participants, incident.reporterId, incident.providerOrg);
  }

  /**
   * The people party to the exchange now (besides the bot): those recorded whose admission
   * still holds at the ticket's label with the current directory (`currentParticipants`).
   */
  participants(incident: Incident, directory: ExchangeDirectory, botUserId: string): string[] {
    if (incident.state === "closed") return [];
    return currentParticipants(
      this.records(incident),
      {
        label: ticketLabel(incident),
        partnerOrg: incident.partnerOrg,
        providerOrg: incident.providerOrg,
        organisations: this.organisations(incident, directory.dsx.id),
        dsxOrg: directory.dsx.id,
        botUserId,
      },
      directory,
    );
  }

  /** Records people as party to the exchange; someone already recorded keeps how they came. */
  async addParticipants(
    manager: EntityManager,
    incident: Incident,
    userIds: readonly string[],
    via: Admission,
  ) {
    const records = this.records(incident);
    for (const userId of userIds)
      if (!records.some((p) => p.userId === userId)) records.push({ userId, via });
    await this.update(manager, incident, { participants: JSON.stringify(records) });
  }

  /** Someone who left the ticket room is party to it no more (the reporter always is). */
  async removeParticipant(manager: EntityManager, incident: Incident, userId: string) {
    const records = this.records(incident);
    const kept = records.filter((p) => p.userId !== userId || p.via === "reporter");
    if (kept.length === records.length) return false;
    await this.update(manager, incident, { participants: JSON.stringify(kept) });
    return true;
  }

  /** The provider organisations that declined the case or let its offer lapse. */
  declinedBy(incident: Incident): Set<string> {
    return new Set(DECLINED_BY.decode(incident.declinedBy ?? "[]", incident.caseId));
  }

  /** The open incidents a person reported, oldest first. */
  openReportedBy(manager: EntityManager, userId: string): Promise<Incident[]> {
    return manager.find(Incident, {
      where: { reporterId: userId, state: Not("closed") },
      order: { id: "ASC" },
    });
  }

  /** The open incidents a provider organisation took or has on offer, oldest first. */
  async openForProvider(manager: EntityManager, provider: string): Promise<Incident[]> {
    return manager.find(Incident, {
      where: [
        { providerOrg: provider, state: Not("closed") },
        { offeredTo: provider, state: Not("closed") },
      ],
      order: { id: "ASC" },
    });
  }

  /** The report an open incident holds, its free texts opened, with the files given. */
  report(incident: Incident, files: readonly number[] = []): IncidentReport {
    return {
      type: incident.type,
      description: this.opened(incident, "description"),
      measures: this.opened(incident, "measures"),
      urgency: ticketUrgency(incident),
      label: ticketLabel(incident),
      consent: incident.consent === true,
      files,
    };
  }

  private opened(incident: Incident, column: "description" | "measures"): string {
    const sealed = incident[column];
    return sealed === null ? "" : this.cipher.decrypt(sealed, context(incident.caseId, column));
  }

  /** How many open incidents each provider organisation has. */
  async openCasesByProvider(manager: EntityManager): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const incident of await this.openIncidents(manager)) {
      if (incident.providerOrg !== null)
        counts.set(incident.providerOrg, (counts.get(incident.providerOrg) ?? 0) + 1);
    }
    return counts;
  }

  /** The open incidents, oldest first. */
  openIncidents(manager: EntityManager): Promise<Incident[]> {
    return manager.find(Incident, { where: { state: Not("closed") }, order: { id: "ASC" } });
  }

  /**
   * Closes an incident and forgets it: everything but its number, type and the months it opened
   * and closed is deleted, and the audit and outbox rows of the case lose the people and rooms
   * they named (Retention).
   */
  async close(manager: EntityManager, incident: Incident, at: Date): Promise<void> {
    await manager.update(
      Incident,
      { id: incident.id },
      {
        state: "closed",
        closedMonth: at.toISOString().slice(0, 7),
        hoursToMatch:
          incident.matchedAt === null ? null : hoursBetween(incident.createdAt, incident.matchedAt),
        hoursToClose: hoursBetween(incident.createdAt, at.getTime()),
        matchedAt: null,
        // The months stay; the exact times go (the hours above are all statistics need).
        createdAt: monthStart(incident.openedMonth),
        urgency: null,
        label: null,
        language: null,
        region: null,
        reporterId: null,
        partnerOrg: null,
        providerOrg: null,
        reporterRoomId: null,
        ticketRoomId: null,
        participants: null,
        consent: null,
        description: null,
        measures: null,
        offeredTo: null,
        declinedBy: null,
        summaryPosted: null,
        updatedAt: monthStart(at.toISOString().slice(0, 7)),
      },
    );
    await manager.delete(Attachment, { caseId: incident.caseId });
    await forgetCaseJobs(manager, incident.caseId);
    await forgetCaseTrail(manager, [incident.caseId]);
  }

  /** The exchange of an open incident: its participants, and the organisations party to it. */
  exchange(
    incident: Incident,
    directory: ExchangeDirectory,
    botUserId: string,
  ): Exchange | undefined {
    if (incident.state === "closed") return undefined;
    return {
      participants: new Set([...this.participants(incident, directory, botUserId), botUserId]),
      organisations: this.organisations(incident, directory.dsx.id),
    };
  }

  private organisations(incident: Incident, dsxOrganisation: string): Set<string> {
    return new Set(
      [incident.partnerOrg, incident.providerOrg, dsxOrganisation].filter(
        (o): o is string => o !== null,
      ),
    );
  }
}

/** The directory as participation needs it: the audience's view, and which organisation is DSX. */
export interface ExchangeDirectory extends AudienceDirectory {
  readonly dsx: { readonly id: string };
}

/**
 * The stored participants: a JSON list of `{ userId, via }`. Rows written before admissions were
 * recorded hold plain user IDs, in the order they came: the reporter first, then (once a
 * provider is assigned) the provider's person who accepted, then people invited or asked in,
 * who are read as invited (the narrowest reading: a raised label or `!dsx assist` settles it).
 */
export function readParticipants(
  json: string | null,
  reporterId: string | null,
  providerOrg: string | null,
): Participant[] {
  const stored = PARTICIPANTS.decode(json ?? "[]");
  return stored.map((entry, index): Participant => {
    if (typeof entry !== "string") return entry;
    if (entry === reporterId) return { userId: entry, via: "reporter" };
    if (index === 1 && providerOrg !== null) return { userId: entry, via: "provider" };
    return { userId: entry, via: "invited" };
  });
}

const DECLINED_BY = jsonCodec("the providers that declined", z.array(z.string()));
const PARTICIPANTS = jsonCodec<(string | Participant)[]>(
  "a ticket's participants",
  z.array(
    z.union([
      z.string(),
      z.object({
        userId: z.string(),
        via: z.enum(["reporter", "provider", "asked", "invited"] satisfies Admission[]),
      }),
    ]),
  ),
);

function context(caseId: string, column: string): string {
  return `incident.${column}:${caseId}`;
}

/** Whole hours between two times (what statistics keep of a closed ticket's timing). */
function hoursBetween(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) / 3_600_000));
}
