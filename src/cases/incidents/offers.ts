import { spokenDuration } from "../../chat/spoken-duration.js";
import type { EntityManager } from "typeorm";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { rankProviders } from "../../policy/matching.js";
import { defineTask, payloadText, type ScheduledTask } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import type { Incident } from "../../store/entities/incident.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { findOpenIncident } from "./find.js";
import { organisationName, render, type IncidentServices } from "./services.js";
import { languageOf } from "../../store/people.js";
import { parseCaseId } from "../../store/case-numbers.js";
import { replyNoCaseForYou } from "../no-case-for-you.js";

export const OFFER_JOB = "incident.offer";
export const OFFER_LAPSE_JOB = "incident.offer-lapse";
export const TICKET_ROOM_JOB = "incident.ticket-room";

/**
 * Offers of tickets to providers: `!dsx assign` in triage, or the best match at once in the
 * automatic mode; the provider's people get the metadata in their direct rooms and answer
 * `accept`/`decline`; a decline or an offer left unanswered past `incidents.offerTimeout` moves
 * the ticket to the next match (triage is told each time).
 */
export class Offers {
  constructor(private readonly s: IncidentServices) {}

  commands(): Command[] {
    return [
      {
        words: ["assign"],
        rooms: ["triage"],
        summary: "offer.commandAssign",
        allowed: (context) => context.directory.isDsxTeam(context.inbound.sender),
        run: (context, rest) => this.assign(context, rest),
      },
      {
        words: ["accept"],
        rooms: ["direct"],
        summary: "offer.commandAccept",
        allowed: (context) => this.providerOf(context.inbound.sender) !== undefined,
        parties: { direct: ["provider"] },
        run: (context, rest) => this.answer(context, rest, "accept"),
      },
      {
        words: ["decline"],
        rooms: ["direct"],
        summary: "offer.commandDecline",
        allowed: (context) => this.providerOf(context.inbound.sender) !== undefined,
        parties: { direct: ["provider"] },
        run: (context, rest) => this.answer(context, rest, "decline"),
      },
    ];
  }

  tasks(): ScheduledTask[] {
    const deliver = defineTask({
      kind: OFFER_JOB,
      // Each member's direct room, found or made before the transaction.
      prepare: async (job) => {
        const rooms = new Map<string, string>();
        const provider = this.s.directory().organisation(payloadText(job, "provider"));
        for (const member of provider?.members ?? [])
          rooms.set(member, await this.s.rooms.directRoomWith(member));
        return rooms;
      },
      execute: (job, manager, rooms: Map<string, string>) => this.deliver(job, manager, rooms),
    });
    const lapse: ScheduledTask = {
      kind: OFFER_LAPSE_JOB,
      execute: (job, manager) => this.lapse(job, manager),
    };
    return [deliver, lapse];
  }

  /** In the automatic mode, offers a new ticket to its best match at once. */
  async opened(manager: EntityManager, incident: Incident): Promise<void> {
    if (this.s.automaticOffers() && incident.consent === true)
      await this.offerNext(manager, incident);
  }

  /** The ranked providers still open to a ticket (not declined, no conflict, not its own). */
  async ranked(manager: EntityManager, incident: Incident) {
    return rankProviders(
      {
        type: incident.type,
        language: incident.language,
        region: incident.region,
        partnerOrg: incident.partnerOrg,
      },
      this.s.directory().withRole("provider"),
      {
        openCases: await this.s.store.openCasesByProvider(manager),
        conflicts: new Set(),
        declined: this.s.store.declinedBy(incident),
      },
    );
  }

  private async assign(context: ChatContext, rest: string): Promise<void> {
    const [id = "", who = ""] = rest.split(/\s+/);
    const incident = await findOpenIncident(context, this.s.store, id);
    if (!incident) return;
    const caseId = incident.caseId;
    const directory = context.directory;
    const provider = who.startsWith("@")
      ? directory.organisationOf(who)
      : directory.organisation(who.toLowerCase());
    const problem: [string, Record<string, string>] | undefined =
      who === ""
        ? ["offer.assignNeedsProvider", {}]
        : provider?.role !== "provider"
          ? ["offer.unknownProvider", { provider: who.slice(0, 80) }]
          : incident.providerOrg !== null
            ? [
                "offer.alreadyAssigned",
                { provider: organisationName(this.s, incident.providerOrg) },
              ]
            : incident.consent !== true
              ? ["offer.noConsent", {}]
              : provider.id === incident.partnerOrg
                ? ["offer.ownOrganisation", { provider: organisationName(this.s, provider.id) }]
                : undefined;
    if (problem !== undefined || provider === undefined) {
      const [key, params] = problem ?? ["offer.unknownProvider", {}];
      context.reply({
        label: "WHITE",
        caseId,
        text: context.text({ key, params: { caseId, ...params } }),
      });
      return;
    }
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.assigned",
      caseId,
    });
    await this.offer(context.manager, incident, provider.id);
  }

  /** Offers the ticket to the best provider left, or tells triage that none is. */
  async offerNext(manager: EntityManager, incident: Incident): Promise<void> {
    const best = (await this.ranked(manager, incident)).candidates[0];
    if (best) {
      await this.offer(manager, incident, best.provider);
      return;
    }
    await this.s.store.update(manager, incident, { state: "new", offeredTo: null });
    await this.tellTriage(manager, "offer.noneLeft", incident.caseId);
  }

  /** Makes the offer: recorded now, delivered by a job, lapsing after the configured time. */
  private async offer(manager: EntityManager, incident: Incident, provider: string) {
    const jobs = this.s.jobs();
    // A new offer replaces one still open (triage reassigned it).
    await jobs.cancel(manager, incident.caseId, OFFER_LAPSE_JOB);
    await this.s.store.update(manager, incident, { state: "offered", offeredTo: provider });
    const now = Date.now();
    await jobs.schedule(manager, {
      kind: OFFER_JOB,
      dueAt: now,
      caseId: incident.caseId,
      payload: { provider },
    });
    await jobs.schedule(manager, {
      kind: OFFER_LAPSE_JOB,
      dueAt: now + this.s.offerTimeoutMs(),
      caseId: incident.caseId,
      payload: { provider },
    });
    await audit(manager, { actor: null, action: "incident.offered", caseId: incident.caseId });
    await this.tellTriage(manager, "offer.offeredTriage", incident.caseId, {
      provider: organisationName(this.s, provider),
    });
  }

  /** Sends the offer (metadata only) to each of the provider's people, if it still stands. */
  private async deliver(job: ScheduledJob, manager: EntityManager, rooms: Map<string, string>) {
    const provider = payloadText(job, "provider");
    const incident = await this.s.store.get(manager, job.caseId ?? "");
    if (incident?.state !== "offered" || incident.offeredTo !== provider) return;
    for (const [member, roomId] of rooms) {
      const language = await languageOf(manager, member);
      const within = spokenDuration(this.s.catalog, language, this.s.offerTimeoutMs());
      const text = (key: string, params?: Record<string, string>) =>
        render(this.s, language, { key, ...(params ? { params } : {}) }).plain;
      await this.s.say(manager, roomId, {
        label: "GREEN",
        caseId: incident.caseId,
        step: "offer",
        text: render(this.s, language, {
          key: "offer.toProvider",
          params: {
            caseId: incident.caseId,
            provider: organisationName(this.s, provider),
            type: this.s.catalog.hasKey(language, `incidentType.${incident.type}`)
              ? text(`incidentType.${incident.type}`)
              : incident.type,
            urgency: text(`urgency.${incident.urgency ?? "medium"}`),
            language: incident.language ?? "",
            region:
              incident.region === null ? "" : text("incident.region", { region: incident.region }),
            within,
          },
        }),
      });
    }
  }

  /** An offer nobody answered in time: counted as a decline, and the next match gets it. */
  private async lapse(job: ScheduledJob, manager: EntityManager): Promise<void> {
    const provider = payloadText(job, "provider");
    const incident = await this.s.store.get(manager, job.caseId ?? "");
    if (incident?.state !== "offered" || incident.offeredTo !== provider) return;
    await this.recordDecline(manager, incident, provider);
    await audit(manager, {
      actor: null,
      action: "incident.offer-lapsed",
      caseId: incident.caseId,
    });
    await this.tellTriage(manager, "offer.lapsedTriage", incident.caseId, {
      provider: organisationName(this.s, provider),
    });
    await this.offerNext(manager, incident);
  }

  private async answer(context: ChatContext, rest: string, answer: "accept" | "decline") {
    const { manager, inbound } = context;
    const [id = ""] = rest.split(/\s+/);
    const parsed = parseCaseId(id);
    if (parsed?.kind !== "INC") {
      context.reply({ label: "WHITE", text: context.text({ key: "incident.badCaseId" }) });
      return;
    }
    const provider = this.providerOf(inbound.sender);
    const incident = await this.s.store.get(manager, parsed.id);
    // A provider the ticket was never offered to learns nothing, not even that it exists (a
    // closed one keeps no provider, so it is nobody's).
    const party =
      incident !== null &&
      provider !== undefined &&
      (incident.offeredTo === provider ||
        incident.providerOrg === provider ||
        this.s.store.declinedBy(incident).has(provider));
    if (!party) {
      replyNoCaseForYou(context, parsed.id);
      return;
    }
    const caseId = incident.caseId;
    if (incident.offeredTo !== provider) {
      context.reply({
        label: "WHITE",
        text: context.text({ key: "offer.notOffered", params: { caseId } }),
      });
      return;
    }
    await this.s.jobs().cancel(manager, caseId, OFFER_LAPSE_JOB);
    const name = organisationName(this.s, provider);
    if (answer === "decline") {
      await this.recordDecline(manager, incident, provider);
      await audit(manager, { actor: inbound.sender, action: "incident.declined", caseId });
      context.reply({
        label: "WHITE",
        caseId,
        step: "declined",
        text: context.text({ key: "offer.declined", params: { caseId } }),
      });
      await this.tellTriage(manager, "offer.declinedTriage", caseId, { provider: name });
      await this.offerNext(manager, incident);
      return;
    }
    await this.s.store.update(manager, incident, {
      state: "in-progress",
      offeredTo: null,
      providerOrg: provider,
      matchedAt: Date.now(),
    });
    await this.s.store.addParticipants(manager, incident, [inbound.sender], "provider");
    await audit(manager, { actor: inbound.sender, action: "incident.accepted", caseId });
    await this.s.jobs().schedule(manager, {
      kind: TICKET_ROOM_JOB,
      dueAt: Date.now(),
      caseId,
      payload: { provider: inbound.sender },
    });
    context.reply({
      label: "WHITE",
      caseId,
      step: "accepted",
      text: context.text({ key: "offer.accepted", params: { caseId } }),
    });
    await this.tellTriage(manager, "offer.acceptedTriage", caseId, { provider: name });
  }

  private async recordDecline(manager: EntityManager, incident: Incident, provider: string) {
    const declined = [...this.s.store.declinedBy(incident), provider];
    await this.s.store.update(manager, incident, {
      state: "new",
      offeredTo: null,
      declinedBy: JSON.stringify([...new Set(declined)]),
    });
  }

  private async tellTriage(
    manager: EntityManager,
    key: string,
    caseId: string,
    params: Record<string, string> = {},
  ): Promise<void> {
    const triage = this.s.triageRoomId();
    if (triage === undefined) return;
    await this.s.say(manager, triage, {
      label: "GREEN",
      caseId,
      step: "offer",
      text: render(this.s, "en", { key, params: { caseId, ...params } }),
    });
  }

  /** The provider organisation a person answers for (members only). */
  private providerOf(userId: string): string | undefined {
    const organisation = this.s.directory().organisationOf(userId);
    return organisation?.role === "provider" ? organisation.id : undefined;
  }
}
