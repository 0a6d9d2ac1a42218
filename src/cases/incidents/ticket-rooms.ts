import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { lines } from "../../chat/render.js";
import { mayCloseTicket } from "../../policy/participation.js";
import { isMoreRestrictive, parseTlp, tlpName, tlpTag, type TlpLabel } from "../../policy/tlp.js";
import { GUARD_JOB } from "../../guard/room-guard.js";
import {
  defineTask,
  payloadList,
  payloadText,
  type ScheduledTask,
} from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import type { Incident, IncidentState } from "../../store/entities/incident.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { TICKET_ROOM_JOB } from "./offers.js";
import { summaryText, type IncidentReport } from "./intake.js";
import { organisationName, render, type IncidentServices } from "./services.js";
import { languageOf } from "../../store/people.js";
import { INVITE_JOB, TicketParticipants } from "./ticket-participants.js";

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
  private readonly people: TicketParticipants;

  constructor(
    private readonly s: IncidentServices,
    private readonly closeTicket: CloseTicket,
  ) {
    this.people = new TicketParticipants(s);
  }

  tasks(): ScheduledTask[] {
    const open = defineTask({
      kind: TICKET_ROOM_JOB,
      prepare: async (job) => {
        const incident = await this.openIncident(job);
        if (!incident || incident.ticketRoomId !== null || incident.reporterId === null)
          return undefined;
        return this.s.rooms.caseRoom("ticket", incident.caseId, [
          incident.reporterId,
          payloadText(job, "provider"),
        ]);
      },
      execute: (job, manager, roomId: string | undefined) => this.opened(job, manager, roomId),
    });
    const invite: ScheduledTask = {
      kind: INVITE_JOB,
      prepare: async (job) => {
        const incident = await this.openIncident(job);
        if (incident?.ticketRoomId == null) return false;
        for (const userId of payloadList(job, "invite"))
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
    const person = payloadText(job, "provider");
    await tell(person, this.s.rooms.findDirectRoom(person) ?? null, "ticket.roomProvider");
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
          organisationName(this.s, incident.partnerOrg),
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
        parties: { ticket: ["partner", "provider", "invited", "dsx"] },
        run: (context, rest) => this.withTicket(context, (i) => this.status(context, i, rest)),
      },
      {
        words: ["assist"],
        rooms: ["ticket"],
        summary: "ticket.commandAssist",
        parties: { ticket: ["partner"] },
        run: (context) => this.withTicket(context, (i) => this.people.assist(context, i)),
      },
      {
        words: ["invite"],
        rooms: ["ticket"],
        summary: "ticket.commandInvite",
        parties: { ticket: ["partner", "provider", "invited", "dsx"] },
        run: (context, rest) =>
          this.withTicket(context, (i) => this.people.invite(context, i, rest)),
      },
      {
        words: ["tlp"],
        rooms: ["ticket"],
        summary: "ticket.commandTlp",
        parties: { ticket: ["partner", "provider", "invited", "dsx"] },
        run: (context, rest) => this.withTicket(context, (i) => this.relabel(context, i, rest)),
      },
      {
        words: ["close"],
        rooms: ["ticket"],
        summary: "ticket.commandClose",
        parties: { ticket: ["partner", "provider", "dsx"] },
        run: (context, rest) => this.withTicket(context, (i) => this.close(context, i, rest)),
      },
    ];
  }

  /**
   * A message a participant marks `TLP:<LABEL>` at its start holds the room to that label from
   * then on, when it is stricter than the ticket's (anyone may raise a label).
   */
  async observe(context: ChatContext): Promise<void> {
    if (context.inbound.roomKind !== "ticket") return;
    const mark = /^\s*TLP:\s*(RED|AMBER\+STRICT|AMBER|GREEN|WHITE|CLEAR)\b/i.exec(
      context.inbound.text,
    );
    const label = mark ? parseTlp(mark[1] ?? "") : undefined;
    if (label === undefined) return;
    const incident = await this.s.store.byTicketRoom(context.manager, context.inbound.roomId);
    if (!incident || !this.participants(incident).includes(context.inbound.sender)) return;
    if (!isMoreRestrictive(label, parseTlp(incident.label ?? "") ?? "RED")) return;
    await this.setLabel(context, incident, label, "incident.label-raised");
    context.reply({
      label: "WHITE",
      caseId: incident.caseId,
      step: "label",
      text: context.text({
        key: "ticket.messageRaised",
        params: { caseId: incident.caseId, label: tlpTag(label, this.s.tlpNames) },
      }),
    });
  }

  /** `!dsx tlp <LABEL> [confirm]`: anyone raises; only the reporter lowers, and confirms it. */
  private async relabel(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const caseId = incident.caseId;
    const [word = "", confirmation = ""] = rest.trim().split(/\s+/);
    const label = parseTlp(word);
    const current = parseTlp(incident.label ?? "") ?? "RED";
    const say = (key: string, params: Record<string, string> = {}) => {
      context.reply({
        label: "WHITE",
        caseId,
        step: "label",
        text: context.text({ key, params: { caseId, ...params } }),
      });
    };
    if (label === undefined) {
      say("ticket.tlpInvalid");
      return;
    }
    if (label === current) {
      say("ticket.tlpSame", { label: tlpTag(label, this.s.tlpNames) });
      return;
    }
    if (isMoreRestrictive(label, current)) {
      await this.setLabel(context, incident, label, "incident.label-raised");
      say("ticket.tlpRaised", { label: tlpTag(label, this.s.tlpNames) });
      return;
    }
    if (context.inbound.sender !== incident.reporterId) {
      await audit(context.manager, {
        actor: context.inbound.sender,
        action: "incident.label-lower-refused",
        caseId,
        outcome: label,
      });
      say("ticket.tlpLowerOnlyReporter");
      return;
    }
    if (confirmation.toLowerCase() !== "confirm") {
      say("ticket.tlpLowerConfirm", {
        from: tlpTag(current, this.s.tlpNames),
        label: tlpName(label, this.s.tlpNames),
      });
      return;
    }
    await this.setLabel(context, incident, label, "incident.label-lowered");
    say("ticket.tlpLowered", { label: tlpTag(label, this.s.tlpNames) });
  }

  /** Changes the ticket's label, audited; the room's members are checked against it again. */
  private async setLabel(
    context: ChatContext,
    incident: Incident,
    label: TlpLabel,
    action: string,
  ): Promise<void> {
    await this.s.store.update(context.manager, incident, { label });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action,
      caseId: incident.caseId,
      outcome: label,
    });
    if (incident.ticketRoomId !== null)
      await this.s.jobs().schedule(context.manager, {
        kind: GUARD_JOB,
        dueAt: Date.now(),
        caseId: incident.caseId,
        payload: { roomId: incident.ticketRoomId },
      });
  }

  /** The people taking part in a ticket now (besides the bot). */
  private participants(incident: Incident): string[] {
    return this.s.store.participants(incident, this.s.directory(), this.s.botUserId());
  }

  /** `!dsx close <summary>`: by those answerable for the case, since it erases it for all. */
  private async close(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const { sender } = context.inbound;
    if (!mayCloseTicket(sender, incident, context.directory.dsx.id, context.directory)) {
      await audit(context.manager, {
        actor: sender,
        action: "incident.close-refused",
        caseId: incident.caseId,
      });
      context.reply({
        label: "WHITE",
        caseId: incident.caseId,
        step: "close",
        text: context.text({ key: "ticket.closeNotAllowed", params: { caseId: incident.caseId } }),
      });
      return;
    }
    await this.closeTicket(context.manager, incident, outcomeOf(rest), sender);
  }

  /** Runs a ticket-room command for the people of the ticket; others are told no. */
  private async withTicket(context: ChatContext, run: (incident: Incident) => Promise<void>) {
    const incident = await this.s.store.byTicketRoom(context.manager, context.inbound.roomId);
    if (!incident || !this.participants(incident).includes(context.inbound.sender)) {
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
}

const OUTCOMES = ["resolved", "referred", "no-response", "duplicate", "withdrawn"] as const;

/** The outcome category of a closing text (its first word); the rest of the text is not kept. */
export function outcomeOf(text: string): string {
  const word = (text.trim().split(/\s+/)[0] ?? "").toLowerCase().replace(/[^a-z-]/g, "");
  if (word === "") return "resolved";
  return (OUTCOMES as readonly string[]).includes(word) ? word : "other";
}
