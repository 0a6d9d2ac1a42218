import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { ChatContext } from "../../chat/context.js";
import type { ChatModule } from "../../chat/router.js";
import { startDialogue } from "../../chat/dialogue.js";
import type { Command } from "../../chat/command.js";
import { lines, type Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { MatchReason } from "../../policy/matching.js";
import { parseTlp, tlpTag } from "../../policy/tlp.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import type { Incident } from "../../store/entities/incident.js";
import { findOpenIncident } from "./find.js";
import type { IncidentStore } from "./incident-store.js";
import { incidentIntake, summaryText, typeName, type IncidentReport } from "./intake.js";
import { Offers } from "./offers.js";
import { render, type IncidentServices } from "./services.js";
import { languageOf } from "../../store/people.js";
import { outcomeOf, TicketRooms } from "./ticket-rooms.js";

export interface IncidentsOptions extends IncidentServices {
  readonly types: () => readonly string[];
  readonly maxFiles: () => number;
  /** What else forgets a closing ticket (its alert drafts), in the same transaction. */
  readonly closing?: (manager: EntityManager, caseId: string) => Promise<void>;
}

/**
 * The incidents workflow: intake in the partner's direct message, the ticket opened with a case
 * number and triage told (details only where the label allows), offers to providers, the ticket
 * room, and closing, which forgets the details.
 */
export class Incidents {
  readonly store: IncidentStore;
  private readonly offers: Offers;
  private readonly ticketRooms: TicketRooms;

  constructor(private readonly options: IncidentsOptions) {
    this.store = options.store;
    this.offers = new Offers(options);
    this.ticketRooms = new TicketRooms(options, (manager, incident, outcome, actor) =>
      this.close(manager, incident, outcome, actor),
    );
  }

  /** The durable jobs of the workflow (offers, their lapse, ticket rooms, invitations). */
  tasks(): ScheduledTask[] {
    return [...this.offers.tasks(), ...this.ticketRooms.tasks()];
  }

  /** Room events other than messages (joins to ticket rooms), in the event's transaction. */
  roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    return this.ticketRooms.membership(event, manager);
  }

  /** The commands, dialogue and status listing of the workflow. */
  chatModule(): ChatModule {
    const intake = incidentIntake(
      this.options.types,
      (context, report) => this.opened(context, report),
      { store: this.options.attachments, maxFiles: this.options.maxFiles },
    );
    return {
      dialogues: [intake],
      commands: [
        {
          words: ["report", "incident"],
          rooms: ["direct"],
          summary: "incident.command",
          opens: "incident",
          allowed: (context) =>
            this.partnerOf(context.directory, context.inbound.sender) !== undefined,
          run: async (context) => {
            // A report started over drops the files the abandoned one kept aside.
            const previous = await context.conversations.get();
            if (previous?.kind === intake.kind)
              await intake.discard?.(context.manager, previous.answers);
            context.reply({ label: "WHITE", text: context.text({ key: "incident.start" }) });
            await startDialogue(context, intake);
          },
        },
        ...this.triageCommands(),
        ...this.offers.commands(),
        ...this.ticketRooms.commands(),
      ],
      observers: [(context) => this.ticketRooms.observe(context)],
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
                : (parseTlp(incident.label ?? "") ?? "RED"),
            caseId: incident.caseId,
            text: context.text({
              key: "incident.statusLine",
              params: {
                caseId: incident.caseId,
                type: typeName(context, incident.type),
                urgency: context.text({ key: `urgency.${incident.urgency ?? "medium"}` }).plain,
                state: context.text({ key: `incidentState.${incident.state}` }).plain,
              },
            }),
          }));
        },
      },
    };
  }

  /** `!dsx tickets`, `!dsx ticket INC-…`, `!dsx close INC-… <reason>` for the DSX team in triage. */
  private triageCommands(): Command[] {
    const dsxTeam = (context: ChatContext) => context.directory.isDsxTeam(context.inbound.sender);
    return [
      {
        words: ["tickets"],
        rooms: ["triage"],
        summary: "incident.commandTickets",
        allowed: dsxTeam,
        run: async (context) => {
          const open = await this.store.openIncidents(context.manager);
          const text =
            open.length === 0
              ? context.text({ key: "incident.noTickets" })
              : lines(open.map((i) => this.ticketLine(context, i)));
          context.reply({ label: "GREEN", step: "tickets", text });
        },
      },
      {
        words: ["ticket"],
        rooms: ["triage"],
        summary: "incident.commandTicket",
        allowed: dsxTeam,
        run: async (context, rest) => {
          const incident = await findOpenIncident(context, this.store, rest);
          if (!incident) return;
          const line = this.ticketLine(context, incident);
          const label = parseTlp(incident.label ?? "") ?? "RED";
          if (label === "RED") {
            const withheld = context.text({
              key: "incident.triageWithheld",
              params: { label: tlpTag("RED", context.tlpNames) },
            });
            context.reply({
              label: "GREEN",
              caseId: incident.caseId,
              text: lines([line, withheld]),
            });
            return;
          }
          const report: IncidentReport = {
            type: incident.type,
            description: this.store.description(incident),
            measures: this.store.measures(incident),
            urgency: (incident.urgency ?? "medium") as IncidentReport["urgency"],
            label,
            consent: incident.consent === true,
            files: [],
          };
          context.reply({
            label,
            caseId: incident.caseId,
            step: "summary",
            text: summaryText(
              context,
              report,
              [],
              incident.partnerOrg === null
                ? "?"
                : (context.directory.organisation(incident.partnerOrg)?.name ??
                    incident.partnerOrg),
            ),
          });
        },
      },
      {
        words: ["match"],
        rooms: ["triage"],
        summary: "incident.commandMatch",
        allowed: dsxTeam,
        run: async (context, rest) => {
          const incident = await findOpenIncident(context, this.store, rest);
          if (!incident) return;
          context.reply({
            label: "GREEN",
            caseId: incident.caseId,
            step: "match",
            text: await this.matchText(context, incident),
          });
        },
      },
      {
        words: ["close"],
        rooms: ["triage"],
        summary: "incident.commandClose",
        allowed: dsxTeam,
        run: async (context, rest) => {
          const [id = "", ...reason] = rest.split(/\s+/);
          const incident = await findOpenIncident(context, this.store, id);
          if (!incident) return;
          if (reason.length === 0) {
            context.reply({
              label: "WHITE",
              text: context.text({ key: "incident.closeNeedsReason" }),
            });
            return;
          }
          await this.close(
            context.manager,
            incident,
            outcomeOf(reason.join(" ")),
            context.inbound.sender,
          );
        },
      },
    ];
  }

  /** The ranked providers for a ticket, with the reasons, as triage reads them. */
  private async matchText(context: ChatContext, incident: Incident): Promise<Rendered> {
    const result = await this.offers.ranked(context.manager, incident);
    const reason = (r: MatchReason) => {
      const { code, ...params } = r;
      return context.text({ key: `matchReason.${code}`, params }).plain;
    };
    const name = (id: string) => context.directory.organisation(id)?.name ?? id;
    const parts: Rendered[] = [];
    if (result.candidates.length === 0)
      parts.push(context.text({ key: "incident.matchNone", params: { caseId: incident.caseId } }));
    else {
      parts.push(
        context.text({ key: "incident.matchHeader", params: { caseId: incident.caseId } }),
      );
      result.candidates.forEach((c, i) =>
        parts.push(
          context.text({
            key: "incident.matchLine",
            params: {
              rank: i + 1,
              provider: name(c.provider),
              reasons: c.reasons.map(reason).join(", "),
            },
          }),
        ),
      );
    }
    if (result.excluded.length > 0) {
      const list = result.excluded
        .map(
          (e) => `${name(e.provider)} (${context.text({ key: `matchReason.${e.reason}` }).plain})`,
        )
        .join("; ");
      parts.push(context.text({ key: "incident.matchExcluded", params: { list } }));
    }
    return lines(parts);
  }

  /**
   * Closes a ticket: a closing note in its room (and the bot leaves it), the reporter told,
   * triage told only the outcome category; then every detail is deleted.
   */
  private async close(
    manager: EntityManager,
    incident: Incident,
    outcome: string,
    actor: string,
  ): Promise<void> {
    const caseId = incident.caseId;
    const say = this.options.say;
    const language = incident.language ?? "en";
    if (incident.ticketRoomId !== null) {
      await say(manager, incident.ticketRoomId, {
        label: "WHITE",
        caseId,
        step: "closed",
        leaveAfter: true,
        text: render(this.options, language, {
          key: "ticket.closed",
          params: { caseId, outcome },
        }),
      });
    }
    if (incident.reporterRoomId !== null && incident.reporterId !== null) {
      await say(manager, incident.reporterRoomId, {
        label: "WHITE",
        caseId,
        step: "closed",
        text: render(this.options, await languageOf(manager, incident.reporterId), {
          key: "incident.closedReporter",
          params: { caseId },
        }),
      });
    }
    const triage = this.options.triageRoomId();
    if (triage !== undefined) {
      await say(manager, triage, {
        label: "WHITE",
        caseId,
        step: "closed",
        text: render(this.options, "en", {
          key: "incident.closedTriage",
          params: { caseId, outcome },
        }),
      });
    }
    await audit(manager, { actor, action: "incident.closed", caseId, outcome });
    await this.options.closing?.(manager, caseId);
    await this.store.close(manager, incident, new Date());
  }

  private ticketLine(context: ChatContext, incident: Incident): Rendered {
    return context.text({
      key: "incident.ticketLine",
      params: {
        caseId: incident.caseId,
        type: typeName(context, incident.type),
        urgency: context.text({ key: `urgency.${incident.urgency ?? "medium"}` }).plain,
        label: tlpTag(parseTlp(incident.label ?? "") ?? "RED", context.tlpNames),
        state: context.text({ key: `incidentState.${incident.state}` }).plain,
      },
    });
  }

  /** The ticket rooms, as the room guard holds them: the ticket's label and exchange. */
  async guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    const incident = await this.store.byTicketRoom(this.options.reader(), roomId);
    if (!incident) return undefined;
    return {
      label: parseTlp(incident.label ?? "") ?? "RED",
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

  /** The partner organisation a person reports for: as a member, or else as an affiliate. */
  private partnerOf(directory: Directory, userId: string): string | undefined {
    const own = directory.organisationOf(userId);
    if (own?.role === "partner") return own.id;
    return directory.affiliationsOf(userId).find((org) => org.role === "partner")?.id;
  }

  private async opened(context: ChatContext, report: IncidentReport): Promise<void> {
    const { manager, inbound, directory } = context;
    const now = new Date();
    const caseId = await nextCaseId(manager, "INC", now);
    const partner = this.partnerOf(directory, inbound.sender) ?? null;
    const region = partner === null ? null : (directory.organisation(partner)?.regions[0] ?? null);
    const incident = await this.store.open(
      manager,
      caseId,
      report,
      {
        userId: inbound.sender,
        roomId: inbound.roomId,
        organisation: partner,
        language: context.language,
        region,
      },
      now,
    );
    await this.options.attachments.adopt(manager, report.files, caseId);
    await audit(manager, { actor: inbound.sender, action: "incident.opened", caseId });
    context.reply({
      label: report.label,
      caseId,
      step: "received",
      text: context.text({ key: "incident.received", params: { caseId } }),
    });
    this.tellTriage(context, caseId, report, partner, region);
    await this.offers.opened(manager, incident);
  }

  /** Triage hears of every ticket; the details go under the ticket's label, never for RED. */
  private tellTriage(
    context: ChatContext,
    caseId: string,
    report: IncidentReport,
    partner: string | null,
    region: string | null,
  ): void {
    const triage = this.options.triageRoomId();
    if (triage === undefined) return;
    const english = (key: string, params?: Record<string, string | number>) =>
      context.text({ key, ...(params ? { params } : {}) }, "en");
    const typeLabel = context.catalog.hasKey("en", `incidentType.${report.type}`)
      ? english(`incidentType.${report.type}`).plain
      : report.type;
    const organisation =
      partner === null ? "?" : (context.directory.organisation(partner)?.name ?? partner);
    const metadata = english("incident.triageNew", {
      caseId,
      type: typeLabel,
      urgency: english(`urgency.${report.urgency}`).plain,
      language: context.language,
      organisation,
      // The intake asks for no region: it is the partner's, when the directory has one.
      region: region === null ? "" : english("incident.region", { region }).plain,
    });
    if (report.label === "RED") {
      const withheld = english("incident.triageWithheld", {
        label: tlpTag("RED", context.tlpNames),
      });
      context.send(triage, {
        label: "GREEN",
        caseId,
        step: "notice",
        text: lines([metadata, withheld]),
      });
      return;
    }
    context.send(triage, { label: "GREEN", caseId, step: "notice", text: metadata });
    const details = summaryText(
      { ...context, language: "en", text: (t) => context.text(t, "en") },
      report,
      [],
      organisation,
    );
    context.send(triage, { label: report.label, caseId, step: "summary", text: details });
  }
}
