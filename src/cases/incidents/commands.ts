import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import type { Incident } from "../../store/entities/incident.js";
import type { Offers } from "./offers.js";
import type { IncidentReports } from "./reports.js";
import { partnerOf, providerOf } from "./rules.js";
import type { TicketLabels } from "./ticket-labels.js";
import type { TicketParticipants } from "./ticket-participants.js";
import type { TicketRooms } from "./ticket-rooms.js";
import type { Triage } from "./triage.js";

/** What the incident commands run: the parts of the workflow that carry them out. */
export interface IncidentExecutors {
  readonly reports: Pick<IncidentReports, "start">;
  readonly triage: Pick<Triage, "tickets" | "ticket" | "match" | "close">;
  readonly offers: Pick<Offers, "assign" | "answer">;
  readonly ticketRooms: Pick<TicketRooms, "ticketOf" | "status" | "close">;
  readonly labels: Pick<TicketLabels, "relabel">;
  readonly participants: Pick<TicketParticipants, "invite" | "assist">;
}

const dsxTeam = (context: ChatContext) => context.directory.isDsxTeam(context.inbound.sender);
const aPartner = (context: ChatContext) =>
  partnerOf(context.directory, context.inbound.sender) !== undefined;
const aProvider = (context: ChatContext) =>
  providerOf(context.directory, context.inbound.sender) !== undefined;

/**
 * The incident workflow's commands: a partner's `report incident`, the DSX team's triage
 * commands, a provider's answer to an offer, and the ticket room's commands (for the people of
 * the ticket only).
 */
export function incidentCommands(x: IncidentExecutors): Command[] {
  const inTicket =
    (run: (context: ChatContext, incident: Incident, rest: string) => Promise<void>) =>
    async (context: ChatContext, rest: string) => {
      const incident = await x.ticketRooms.ticketOf(context);
      if (incident) await run(context, incident, rest);
    };
  return [
    {
      words: ["report", "incident"],
      rooms: ["direct"],
      summary: "incident.command",
      opens: "incident",
      allowed: aPartner,
      run: (context) => x.reports.start(context),
    },
    {
      words: ["tickets"],
      rooms: ["triage"],
      summary: "incident.commandTickets",
      allowed: dsxTeam,
      run: (context) => x.triage.tickets(context),
    },
    {
      words: ["ticket"],
      rooms: ["triage"],
      summary: "incident.commandTicket",
      allowed: dsxTeam,
      run: (context, rest) => x.triage.ticket(context, rest),
    },
    {
      words: ["match"],
      rooms: ["triage"],
      summary: "incident.commandMatch",
      allowed: dsxTeam,
      run: (context, rest) => x.triage.match(context, rest),
    },
    {
      words: ["close"],
      rooms: ["triage"],
      summary: "incident.commandClose",
      allowed: dsxTeam,
      run: (context, rest) => x.triage.close(context, rest),
    },
    {
      words: ["assign"],
      rooms: ["triage"],
      summary: "offer.commandAssign",
      allowed: dsxTeam,
      run: (context, rest) => x.offers.assign(context, rest),
    },
    {
      words: ["accept"],
      rooms: ["direct"],
      summary: "offer.commandAccept",
      allowed: aProvider,
      parties: { direct: ["provider"] },
      run: (context, rest) => x.offers.answer(context, rest, "accept"),
    },
    {
      words: ["decline"],
      rooms: ["direct"],
      summary: "offer.commandDecline",
      allowed: aProvider,
      parties: { direct: ["provider"] },
      run: (context, rest) => x.offers.answer(context, rest, "decline"),
    },
    {
      words: ["status"],
      rooms: ["ticket"],
      summary: "ticket.commandStatus",
      parties: { ticket: ["partner", "provider", "invited", "dsx"] },
      run: inTicket((context, incident, rest) => x.ticketRooms.status(context, incident, rest)),
    },
    {
      words: ["assist"],
      rooms: ["ticket"],
      summary: "ticket.commandAssist",
      parties: { ticket: ["partner"] },
      run: inTicket((context, incident) => x.participants.assist(context, incident)),
    },
    {
      words: ["invite"],
      rooms: ["ticket"],
      summary: "ticket.commandInvite",
      parties: { ticket: ["partner", "provider", "invited", "dsx"] },
      run: inTicket((context, incident, rest) => x.participants.invite(context, incident, rest)),
    },
    {
      words: ["tlp"],
      rooms: ["ticket"],
      summary: "ticket.commandTlp",
      parties: { ticket: ["partner", "provider", "invited", "dsx"] },
      run: inTicket((context, incident, rest) => x.labels.relabel(context, incident, rest)),
    },
    {
      words: ["close"],
      rooms: ["ticket"],
      summary: "ticket.commandClose",
      parties: { ticket: ["partner", "provider", "dsx"] },
      run: inTicket((context, incident, rest) => x.ticketRooms.close(context, incident, rest)),
    },
  ];
}
