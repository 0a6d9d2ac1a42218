import type { ChatContext } from "../../chat/context.js";
import { GUARD_JOB } from "../../guard/room-guard.js";
import { isMoreRestrictive, parseTlp, tlpName, tlpTag, type TlpLabel } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import type { Incident } from "../../store/entities/incident.js";
import { reply } from "./messages.js";
import { markedLabel, ticketLabel } from "./rules.js";
import type { IncidentServices } from "./services.js";
import type { TicketRooms } from "./ticket-rooms.js";

/**
 * A ticket's label, as its participants change it: anyone raises it (`!dsx tlp`, or a message
 * marked `TLP:<LABEL>`); only the reporter lowers it, and confirms it. The room's members are
 * checked against the new label.
 */
export class TicketLabels {
  constructor(
    private readonly s: IncidentServices,
    private readonly rooms: Pick<TicketRooms, "participants">,
  ) {}

  /**
   * A message a participant marks `TLP:<LABEL>` at its start holds the room to that label from
   * then on, when it is stricter than the ticket's.
   */
  async observe(context: ChatContext): Promise<void> {
    if (context.inbound.roomKind !== "ticket") return;
    const label = markedLabel(context.inbound.text);
    if (label === undefined) return;
    const incident = await this.s.store.byTicketRoom(context.manager, context.inbound.roomId);
    if (!incident || !this.rooms.participants(incident).includes(context.inbound.sender)) return;
    if (!isMoreRestrictive(label, ticketLabel(incident))) return;
    await this.setLabel(context, incident, label, "incident.label-raised");
    const caseId = incident.caseId;
    reply(context, {
      caseId,
      step: "label",
      key: "ticket.messageRaised",
      params: { caseId, label: tlpTag(label, this.s.tlpNames) },
    });
  }

  /** `!dsx tlp <LABEL> [confirm]`: anyone raises; only the reporter lowers, and confirms it. */
  async relabel(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const caseId = incident.caseId;
    const [word = "", confirmation = ""] = rest.trim().split(/\s+/);
    const label = parseTlp(word);
    const current = ticketLabel(incident);
    const tell = (key: string, params: Record<string, string> = {}) => {
      reply(context, { caseId, step: "label", key, params: { caseId, ...params } });
    };
    if (label === undefined) {
      tell("ticket.tlpInvalid");
      return;
    }
    if (label === current) {
      tell("ticket.tlpSame", { label: tlpTag(label, this.s.tlpNames) });
      return;
    }
    if (isMoreRestrictive(label, current)) {
      await this.setLabel(context, incident, label, "incident.label-raised");
      tell("ticket.tlpRaised", { label: tlpTag(label, this.s.tlpNames) });
      return;
    }
    if (context.inbound.sender !== incident.reporterId) {
      await audit(context.manager, {
        actor: context.inbound.sender,
        action: "incident.label-lower-refused",
        caseId,
        outcome: label,
      });
      tell("ticket.tlpLowerOnlyReporter");
      return;
    }
    if (confirmation.toLowerCase() !== "confirm") {
      tell("ticket.tlpLowerConfirm", {
        from: tlpTag(current, this.s.tlpNames),
        label: tlpName(label, this.s.tlpNames),
      });
      return;
    }
    await this.setLabel(context, incident, label, "incident.label-lowered");
    tell("ticket.tlpLowered", { label: tlpTag(label, this.s.tlpNames) });
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
}
