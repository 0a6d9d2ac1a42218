import type { EntityManager } from "typeorm";
import type { ChatContext } from "../../chat/context.js";
import { spokenDuration } from "../../chat/spoken-duration.js";
import { rankProviders, type MatchResult } from "../../policy/matching.js";
import { audit } from "../../store/audit-log.js";
import { parseCaseId } from "../../store/case-numbers.js";
import type { Incident } from "../../store/entities/incident.js";
import { languageOf } from "../../store/people.js";
import { replyNoCaseForYou } from "../no-case-for-you.js";
import { findOpenIncident } from "./find.js";
import { OFFER_JOB, OFFER_LAPSE_JOB, TICKET_ROOM_JOB } from "./jobs.js";
import { offerText, organisationName, renderingIn, reply, tellTriage } from "./messages.js";
import { assignee, providerOf } from "./rules.js";
import type { IncidentServices } from "./services.js";

/**
 * Offers of tickets to providers: `!dsx assign` in triage, or the best match at once in the
 * automatic mode; the provider's people get the metadata in their direct rooms and answer
 * `accept`/`decline`; a decline or an offer left unanswered past `incidents.offerTimeout` moves
 * the ticket to the next match (triage is told each time).
 */
export class Offers {
  constructor(private readonly s: IncidentServices) {}

  /** In the automatic mode, offers a new ticket to its best match at once. */
  async opened(manager: EntityManager, incident: Incident): Promise<void> {
    if (this.s.automaticOffers() && incident.consent === true)
      await this.offerNext(manager, incident);
  }

  /** The ranked providers still open to a ticket (not declined, no conflict, not its own). */
  async ranked(manager: EntityManager, incident: Incident): Promise<MatchResult> {
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

  /** `!dsx assign INC-… <provider>` in triage: offers the ticket to that provider. */
  async assign(context: ChatContext, rest: string): Promise<void> {
    const [id = "", who = ""] = rest.split(/\s+/);
    const incident = await findOpenIncident(context, this.s.store, id);
    if (!incident) return;
    const caseId = incident.caseId;
    const assignment = assignee(context.directory, incident, who);
    if ("problem" in assignment) {
      const [key, params] = assignment.problem;
      reply(context, { caseId, key, params: { caseId, ...params } });
      return;
    }
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.assigned",
      caseId,
    });
    await this.offer(context.manager, incident, assignment.provider);
  }

  /** Offers the ticket to the best provider left, or tells triage that none is. */
  private async offerNext(manager: EntityManager, incident: Incident): Promise<void> {
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

  /**
   * Sends the offer (metadata only) to each of the provider's people in their direct room
   * (`rooms`, by person), if it still stands.
   */
  async deliver(
    manager: EntityManager,
    caseId: string,
    provider: string,
    rooms: ReadonlyMap<string, string>,
  ): Promise<void> {
    const incident = await this.s.store.get(manager, caseId);
    if (incident?.state !== "offered" || incident.offeredTo !== provider) return;
    for (const [member, roomId] of rooms) {
      const language = await languageOf(manager, member);
      const within = spokenDuration(this.s.catalog, language, this.s.offerTimeoutMs());
      await this.s.say(manager, roomId, {
        label: "GREEN",
        caseId: incident.caseId,
        step: "offer",
        text: offerText(
          renderingIn(this.s, language),
          incident,
          organisationName(this.s, provider),
          within,
        ),
      });
    }
  }

  /** An offer nobody answered in time: counted as a decline, and the next match gets it. */
  async lapse(manager: EntityManager, caseId: string, provider: string): Promise<void> {
    const incident = await this.s.store.get(manager, caseId);
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

  /** `accept INC-…` / `decline INC-…` from a provider's person, in a direct message. */
  async answer(context: ChatContext, rest: string, answer: "accept" | "decline"): Promise<void> {
    const { manager, inbound } = context;
    const [id = ""] = rest.split(/\s+/);
    const parsed = parseCaseId(id);
    if (parsed?.kind !== "INC") {
      reply(context, { key: "incident.badCaseId" });
      return;
    }
    const provider = providerOf(this.s.directory(), inbound.sender);
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
      reply(context, { key: "offer.notOffered", params: { caseId } });
      return;
    }
    await this.s.jobs().cancel(manager, caseId, OFFER_LAPSE_JOB);
    const name = organisationName(this.s, provider);
    if (answer === "decline") {
      await this.recordDecline(manager, incident, provider);
      await audit(manager, { actor: inbound.sender, action: "incident.declined", caseId });
      reply(context, { caseId, step: "declined", key: "offer.declined", params: { caseId } });
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
    reply(context, { caseId, step: "accepted", key: "offer.accepted", params: { caseId } });
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

  private tellTriage(
    manager: EntityManager,
    key: string,
    caseId: string,
    params: Record<string, string> = {},
  ): Promise<void> {
    return tellTriage(this.s, manager, {
      label: "GREEN",
      caseId,
      step: "offer",
      key,
      params: { caseId, ...params },
    });
  }
}
