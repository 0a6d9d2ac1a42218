import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { lines } from "../../chat/render.js";
import { parseTlp } from "../../policy/tlp.js";
import { defineTask, type ScheduledTask } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import type { Incident, IncidentState } from "../../store/entities/incident.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { TICKET_ROOM_JOB } from "./offers.js";
import { summaryText, type IncidentReport } from "./intake.js";
import { languageOf, organisationName, render, type IncidentServices } from "./services.js";

export const INVITE_JOB = "incident.invite";

/** The states people in the ticket room may set (`closed` is `!dsx close`). */
const SETTABLE: readonly IncidentState[] = ["new", "in-progress", "waiting", "resolved"];

/** Closes a ticket (shared with triage's `!dsx close`). */
export type CloseTicket = (
  manager: EntityManager,
  incident: Incident,
  outcome: string,
  actor: string,
) => Promise<void>;

/**
 * Ticket rooms: made when a provider accepts (encrypted, invite-only, history from joining, the
 * bot alone may invite or change state), with the reporter and the provider invited; the report
 * and its files posted under the ticket's label once both have joined (keys reach only joined
 * members); `!dsx status`, `!dsx assist` and `!dsx close` there.
 */
export class TicketRooms {
  constructor(
    private readonly s: IncidentServices,
    private readonly closeTicket: CloseTicket,
  ) {}

  tasks(): ScheduledTask[] {
    const open = defineTask({
      kind: TICKET_ROOM_JOB,
      prepare: async (job) => {
        const incident = await this.openIncident(job);
        if (!incident || incident.ticketRoomId !== null || incident.reporterId === null)
          return undefined;
        return this.s.rooms.ticketRoom(incident.caseId, [incident.reporterId, providerPerson(job)]);
      },
      execute: (job, manager, roomId: string | undefined) => this.opened(job, manager, roomId),
    });
    const invite: ScheduledTask = {
      kind: INVITE_JOB,
      prepare: async (job) => {
        const incident = await this.openIncident(job);
        if (incident?.ticketRoomId == null) return false;
        for (const userId of invitees(job))
          await this.s.rooms.invite(incident.ticketRoomId, userId);
        return true;
      },
      execute: () => Promise.resolve(),
    };
    return [open, invite];
  }

  /** The incident a job is about, while it is open (read outside any transaction). */
  private async openIncident(job: ScheduledJob): Promise<Incident | undefined> {
    const incident = await this.s.store.get(this.s.reader(), job.caseId ?? "");
    return incident && incident.state !== "closed" ? incident : undefined;
  }

  /** The room exists: record it and tell the reporter and the provider where to go. */
  private async opened(job: ScheduledJob, manager: EntityManager, roomId: string | undefined) {
    const incident = await this.s.store.get(manager, job.caseId ?? "");
    if (!incident || incident.state === "closed" || roomId === undefined) return;
    await this.s.store.update(manager, incident, { ticketRoomId: roomId });
    await audit(manager, { actor: null, action: "incident.room-opened", caseId: incident.caseId });
    const provider = organisationName(this.s, incident.providerOrg);
    const tell = async (userId: string, roomId: string | null, key: string) => {
      if (roomId === null) return;
      const language = await languageOf(manager, userId);
      await this.s.say(manager, roomId, {
        label: "WHITE",
        caseId: incident.caseId,
        step: "room",
        text: render(this.s, language, { key, params: { caseId: incident.caseId, provider } }),
      });
    };
    if (incident.reporterId !== null)
      await tell(incident.reporterId, incident.reporterRoomId, "ticket.roomReporter");
    const person = providerPerson(job);
    await tell(person, this.s.rooms.findDirectRoom(person) ?? null, "ticket.roomProvider");
  }

  /**
   * A membership change in a ticket room: once the reporter and the provider have both joined,
   * the report and its files are posted (once); someone the partner asked in later gets the
   * report on joining.
   */
  async membership(event: MatrixEvent, manager: EntityManager): Promise<void> {
    if (event.getType() !== "m.room.member" || event.getContent()["membership"] !== "join") return;
    const roomId = event.getRoomId() ?? "";
    const joiner = event.getStateKey() ?? "";
    const incident = await this.s.store.byTicketRoom(manager, roomId);
    if (!incident) return;
    const participants = this.s.store.participants(incident);
    if (!participants.includes(joiner)) return; // the guard (issue 6) deals with strangers
    const room = this.s.rooms.room(roomId);
    const core = participants.filter(
      (p) =>
        p === incident.reporterId ||
        this.s.directory().organisationOf(p)?.id === incident.providerOrg,
    );
    if (incident.summaryPosted === true) {
      if (!core.includes(joiner)) await this.postReport(manager, incident, roomId);
      return;
    }
    const everyoneIn = core.every((p) => p === joiner || room?.getMember(p)?.membership === "join");
    if (!everyoneIn) return;
    await this.postReport(manager, incident, roomId);
    await this.s.store.update(manager, incident, { summaryPosted: true });
  }

  private async postReport(manager: EntityManager, incident: Incident, roomId: string) {
    const label = parseTlp(incident.label ?? "") ?? "RED";
    const language = incident.language ?? "en";
    const files = await this.s.attachments.list(manager, incident.caseId);
    const report: IncidentReport = {
      type: incident.type,
      description: this.s.store.description(incident),
      measures: this.s.store.measures(incident),
      urgency: (incident.urgency ?? "medium") as IncidentReport["urgency"],
      label,
      consent: incident.consent === true,
      files: files.map((f) => f.id),
    };
    const text = (key: string, params: Record<string, string> = {}) =>
      render(this.s, language, { key, params: { caseId: incident.caseId, ...params } });
    await this.s.say(manager, roomId, {
      label,
      caseId: incident.caseId,
      step: "summary",
      text: lines([
        text("ticket.welcome", {
          partner: organisationName(this.s, incident.partnerOrg),
          provider: organisationName(this.s, incident.providerOrg),
        }),
        summaryText(
          {
            language,
            catalog: this.s.catalog,
            tlpNames: this.s.tlpNames,
            text: (t, lang) => render(this.s, lang ?? language, t),
          },
          report,
          files.map((f) => f.name),
        ),
        text("ticket.commands"),
      ]),
    });
    for (const file of files) {
      await this.s.say(manager, roomId, {
        label,
        caseId: incident.caseId,
        step: "attachment",
        attachment: file.id,
        text: text("ticket.attachment", { name: file.name }),
      });
    }
  }

  commands(): Command[] {
    return [
      {
        words: ["status"],
        rooms: ["ticket"],
        summary: "ticket.commandStatus",
        run: (context, rest) => this.withTicket(context, (i) => this.status(context, i, rest)),
      },
      {
        words: ["assist"],
        rooms: ["ticket"],
        summary: "ticket.commandAssist",
        run: (context) => this.withTicket(context, (i) => this.assist(context, i)),
      },
      {
        words: ["close"],
        rooms: ["ticket"],
        summary: "ticket.commandClose",
        run: (context, rest) =>
          this.withTicket(context, (i) =>
            this.closeTicket(context.manager, i, outcomeOf(rest), context.inbound.sender),
          ),
      },
    ];
  }

  /** Runs a ticket-room command for the people of the ticket; others are told no. */
  private async withTicket(context: ChatContext, run: (incident: Incident) => Promise<void>) {
    const incident = await this.s.store.byTicketRoom(context.manager, context.inbound.roomId);
    if (!incident || !this.s.store.participants(incident).includes(context.inbound.sender)) {
      context.reply({ label: "WHITE", text: context.text({ key: "ticket.notParticipant" }) });
      return;
    }
    await run(incident);
  }

  private async status(context: ChatContext, incident: Incident, rest: string) {
    const caseId = incident.caseId;
    const word = rest.trim().toLowerCase();
    const stateText = (state: string) => context.text({ key: `incidentState.${state}` }).plain;
    if (word === "") {
      context.reply({
        label: "WHITE",
        caseId,
        step: "status",
        text: context.text({
          key: "ticket.statusIs",
          params: { caseId, state: stateText(incident.state) },
        }),
      });
      return;
    }
    const state = SETTABLE.find((s) => s === word);
    if (state === undefined) {
      context.reply({ label: "WHITE", text: context.text({ key: "ticket.statusInvalid" }) });
      return;
    }
    await this.s.store.update(context.manager, incident, { state });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.status",
      caseId,
      outcome: state,
    });
    context.reply({
      label: "WHITE",
      caseId,
      step: "status",
      text: context.text({ key: "ticket.statusSet", params: { caseId, state: stateText(state) } }),
    });
  }

  /** DSX joins a ticket only with the reporter's yes (RED exchanges include DSX only then). */
  private async assist(context: ChatContext, incident: Incident) {
    const caseId = incident.caseId;
    if (context.inbound.sender !== incident.reporterId) {
      context.reply({
        label: "WHITE",
        caseId,
        step: "assist",
        text: context.text({ key: "ticket.assistAsk", params: { caseId } }),
      });
      return;
    }
    const team = context.directory.dsx.members;
    await this.s.store.addParticipants(context.manager, incident, [...team]);
    await this.s.jobs().schedule(context.manager, {
      kind: INVITE_JOB,
      dueAt: Date.now(),
      caseId,
      payload: { invite: team.join(" ") },
    });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.assist",
      caseId,
    });
    context.reply({
      label: "WHITE",
      caseId,
      step: "assist",
      text: context.text({ key: "ticket.assistInvited", params: { caseId } }),
    });
    const triage = this.s.triageRoomId();
    if (triage !== undefined)
      await this.s.say(context.manager, triage, {
        label: "GREEN",
        caseId,
        step: "assist",
        text: render(this.s, "en", { key: "ticket.assistTriage", params: { caseId } }),
      });
  }
}

function providerPerson(job: ScheduledJob): string {
  const parsed = JSON.parse(job.payload) as { provider?: unknown };
  return typeof parsed.provider === "string" ? parsed.provider : "";
}

function invitees(job: ScheduledJob): string[] {
  const parsed = JSON.parse(job.payload) as { invite?: unknown };
  return typeof parsed.invite === "string" ? parsed.invite.split(" ").filter(Boolean) : [];
}

const OUTCOMES = ["resolved", "referred", "no-response", "duplicate", "withdrawn"] as const;

/** The outcome category of a closing text (its first word); the rest of the text is not kept. */
export function outcomeOf(text: string): string {
  const word = (text.trim().split(/\s+/)[0] ?? "").toLowerCase().replace(/[^a-z-]/g, "");
  if (word === "") return "resolved";
  return (OUTCOMES as readonly string[]).includes(word) ? word : "other";
}
