import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { ChatModule } from "../../chat/router.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import { TicketClosing, type ForgetElsewhere } from "./closing.js";
import { incidentCommands } from "./commands.js";
import type { IncidentStore } from "./incident-store.js";
import { incidentTasks } from "./jobs.js";
import { statusLine } from "./messages.js";
import { Offers } from "./offers.js";
import { IncidentReports } from "./reports.js";
import { ticketLabel } from "./rules.js";
import type { IncidentServices } from "./services.js";
import { TicketLabels } from "./ticket-labels.js";
import { TicketParticipants } from "./ticket-participants.js";
import { TicketRooms } from "./ticket-rooms.js";
import { Triage } from "./triage.js";

export interface IncidentsOptions extends IncidentServices {
  readonly types: () => readonly string[];
  readonly maxFiles: () => number;
  /** What else forgets a closing ticket (its alert drafts), in the same transaction. */
  readonly closing?: ForgetElsewhere;
}

/**
 * The incidents workflow: intake in the partner's direct message, the ticket opened with a case
 * number and triage told (details only where the label allows), offers to providers, the ticket
 * room, and closing, which forgets the details. This wires its parts together; `commands.ts`
 * lists its commands and `jobs.ts` its durable tasks.
 */
export class Incidents {
  readonly store: IncidentStore;
  private readonly reports: IncidentReports;
  private readonly offers: Offers;
  private readonly ticketRooms: TicketRooms;
  private readonly labels: TicketLabels;
  private readonly participants: TicketParticipants;
  private readonly triage: Triage;

  constructor(private readonly options: IncidentsOptions) {
    this.store = options.store;
    const closing = new TicketClosing(options, options.closing);
    this.offers = new Offers(options);
    this.reports = new IncidentReports(options, this.offers, options.types, options.maxFiles);
    this.participants = new TicketParticipants(options);
    this.ticketRooms = new TicketRooms(options, this.participants, closing);
    this.labels = new TicketLabels(options, this.ticketRooms);
    this.triage = new Triage(options.store, this.offers, closing);
  }

  /** The durable jobs of the workflow (offers, their lapse, ticket rooms, invitations). */
  tasks(): ScheduledTask[] {
    return incidentTasks(this.options, this.offers, this.ticketRooms);
  }

  /** Room events other than messages (joins to ticket rooms), in the event's transaction. */
  roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    return this.ticketRooms.membership(event, manager);
  }

  /** The commands, dialogue and status listing of the workflow. */
  chatModule(): ChatModule {
    return {
      dialogues: [this.reports.intake],
      commands: incidentCommands({
        reports: this.reports,
        triage: this.triage,
        offers: this.offers,
        ticketRooms: this.ticketRooms,
        labels: this.labels,
        participants: this.participants,
      }),
      observers: [(context) => this.labels.observe(context)],
      openCases: {
        openCasesOf: async (context) => {
          const provider = context.directory.organisationOf(context.inbound.sender);
          const incidents = [
            ...(await this.store.openReportedBy(context.manager, context.inbound.sender)),
            ...(provider?.role === "provider"
              ? await this.store.openForProvider(context.manager, provider.id)
              : []),
          ];
          return incidents.map((incident) => ({
            // An offer is metadata (GREEN) to the provider it is offered to; a ticket's own
            // status goes under its label.
            label:
              provider !== undefined && incident.offeredTo === provider.id
                ? "GREEN"
                : ticketLabel(incident),
            caseId: incident.caseId,
            text: statusLine(context, incident),
          }));
        },
      },
    };
  }

  /** The ticket rooms, as the room guard holds them: the ticket's label and exchange. */
  async guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    const incident = await this.store.byTicketRoom(this.options.reader(), roomId);
    if (!incident) return undefined;
    return {
      label: ticketLabel(incident),
      caseId: incident.caseId,
      exchange: this.store.exchange(incident, this.options.directory(), this.options.botUserId()),
    };
  }

  /** Resolves `INC-…` case ids to their exchange, for the outbox's audience check. */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const incident = await this.store.get(this.options.reader(), caseId);
        return incident
          ? this.store.exchange(incident, this.options.directory(), this.options.botUserId())
          : undefined;
      },
    };
  }
}
