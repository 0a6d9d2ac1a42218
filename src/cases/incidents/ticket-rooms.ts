import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import type { ChatContext } from "../../chat/context.js";
import { mayCloseTicket } from "../../policy/participation.js";
import { audit } from "../../store/audit-log.js";
import type { Incident } from "../../store/entities/incident.js";
import { languageOf } from "../../store/people.js";
import type { TicketClosing } from "./closing.js";
import { organisationName, renderingIn, reply, say, ticketReport } from "./messages.js";
import { outcomeOf, SETTABLE_STATES, ticketLabel } from "./rules.js";
import type { IncidentServices } from "./services.js";
import type { TicketParticipants } from "./ticket-participants.js";

/**
 * Ticket rooms: made when a provider accepts (encrypted, invite-only, history from joining, the
 * bot alone may invite or change state), with the reporter and the provider invited; the report
 * and its files posted under the ticket's label once both have joined (keys reach only joined
 * members); `!dsx status` and `!dsx close` there.
 */
export class TicketRooms {
  constructor(
    private readonly s: IncidentServices,
    private readonly people: Pick<TicketParticipants, "left">,
    private readonly closing: Pick<TicketClosing, "close">,
  ) {}

  /**
   * The room exists (made for `provider`, the person who accepted): record it and tell the
   * reporter and the provider where to go.
   */
  async opened(
    manager: EntityManager,
    caseId: string,
    provider: string,
    roomId: string | undefined,
  ): Promise<void> {
    const incident = await this.s.store.get(manager, caseId);
    if (!incident || incident.state === "closed" || roomId === undefined) return;
    await this.s.store.update(manager, incident, { ticketRoomId: roomId });
    await audit(manager, { actor: null, action: "incident.room-opened", caseId: incident.caseId });
    const params = {
      caseId: incident.caseId,
      provider: organisationName(this.s, incident.providerOrg),
    };
    const tell = async (userId: string, directRoom: string | null, key: string) => {
      if (directRoom === null) return;
      const language = await languageOf(manager, userId);
      await say(this.s, manager, directRoom, language, { caseId, step: "room", key, params });
    };
    if (incident.reporterId !== null)
      await tell(incident.reporterId, incident.reporterRoomId, "ticket.roomReporter");
    await tell(provider, this.s.rooms.findDirectRoom(provider) ?? null, "ticket.roomProvider");
    // Both may have joined before the room was recorded here (the bot killed after the invites):
    // their joins found no ticket, so the report is posted now if everyone is in.
    if (incident.summaryPosted !== true) await this.postWhenAllIn(manager, incident, roomId);
  }

  /**
   * A membership change in a ticket room: once the reporter and the provider have both joined,
   * the report and its files are posted (once); someone the partner asked in later gets the
   * report on joining.
   */
  async membership(event: MatrixEvent, manager: EntityManager): Promise<void> {
    if (event.getType() !== "m.room.member") return;
    const roomId = event.getRoomId() ?? "";
    const incident = await this.s.store.byTicketRoom(manager, roomId);
    if (!incident) return;
    if (event.getContent()["membership"] !== "join") {
      await this.people.left(event, manager, incident);
      return;
    }
    const joiner = event.getStateKey() ?? "";
    const participants = this.participants(incident);
    if (!participants.includes(joiner)) return; // the guard (issue 6) deals with strangers
    if (incident.summaryPosted === true) {
      if (!this.core(incident).includes(joiner)) await this.postReport(manager, incident, roomId);
      return;
    }
    await this.postWhenAllIn(manager, incident, roomId, joiner);
  }

  /** The reporter and the provider's people among the participants. */
  private core(incident: Incident): string[] {
    return this.participants(incident).filter(
      (p) =>
        p === incident.reporterId ||
        this.s.directory().organisationOf(p)?.id === incident.providerOrg,
    );
  }

  /** Posts the report (once) when the reporter and the provider are in (`joiner` just came). */
  private async postWhenAllIn(
    manager: EntityManager,
    incident: Incident,
    roomId: string,
    joiner?: string,
  ): Promise<void> {
    const room = this.s.rooms.room(roomId);
    const everyoneIn = this.core(incident).every(
      (p) => p === joiner || room?.getMember(p)?.membership === "join",
    );
    if (!everyoneIn) return;
    await this.postReport(manager, incident, roomId);
    await this.s.store.update(manager, incident, { summaryPosted: true });
  }

  private async postReport(manager: EntityManager, incident: Incident, roomId: string) {
    const caseId = incident.caseId;
    const label = ticketLabel(incident);
    const r = renderingIn(this.s, incident.language ?? DEFAULT_LANGUAGE);
    const files = await this.s.attachments.list(manager, caseId);
    await this.s.say(manager, roomId, {
      label,
      caseId,
      step: "summary",
      text: ticketReport(
        r,
        caseId,
        this.s.store.report(
          incident,
          files.map((f) => f.id),
        ),
        files.map((f) => f.name),
        {
          partner: organisationName(this.s, incident.partnerOrg),
          provider: organisationName(this.s, incident.providerOrg),
        },
      ),
    });
    for (const file of files) {
      await this.s.say(manager, roomId, {
        label,
        caseId,
        step: "attachment",
        attachment: file.id,
        text: r.text({ key: "ticket.attachment", params: { caseId, name: file.name } }),
      });
    }
  }

  /** The people taking part in a ticket now (besides the bot). */
  participants(incident: Incident): string[] {
    return this.s.store.participants(incident, this.s.directory(), this.s.botUserId());
  }

  /**
   * The open ticket of the room a ticket-room command came from, for the people of the ticket;
   * others are told no.
   */
  async ticketOf(context: ChatContext): Promise<Incident | undefined> {
    const incident = await this.s.store.byTicketRoom(context.manager, context.inbound.roomId);
    if (!incident || !this.participants(incident).includes(context.inbound.sender)) {
      reply(context, { key: "ticket.notParticipant" });
      return undefined;
    }
    return incident;
  }

  /** `!dsx status [state]`: says the ticket's state, or sets it. */
  async status(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const caseId = incident.caseId;
    const word = rest.trim().toLowerCase();
    const stateText = (state: string) => context.text({ key: `incidentState.${state}` }).plain;
    if (word === "") {
      const params = { caseId, state: stateText(incident.state) };
      reply(context, { caseId, step: "status", key: "ticket.statusIs", params });
      return;
    }
    const state = SETTABLE_STATES.find((s) => s === word);
    if (state === undefined) {
      reply(context, { key: "ticket.statusInvalid" });
      return;
    }
    await this.s.store.update(context.manager, incident, { state });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.status",
      caseId,
      outcome: state,
    });
    const params = { caseId, state: stateText(state) };
    reply(context, { caseId, step: "status", key: "ticket.statusSet", params });
  }

  /** `!dsx close <summary>`: by those answerable for the case, since it erases it for all. */
  async close(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const { sender } = context.inbound;
    if (!mayCloseTicket(sender, incident, context.directory.dsx.id, context.directory)) {
      await audit(context.manager, {
        actor: sender,
        action: "incident.close-refused",
        caseId: incident.caseId,
      });
      const caseId = incident.caseId;
      reply(context, { caseId, step: "close", key: "ticket.closeNotAllowed", params: { caseId } });
      return;
    }
    await this.closing.close(context.manager, incident, outcomeOf(rest), sender);
  }
}
