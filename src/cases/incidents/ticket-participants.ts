import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import { isUserId } from "../../policy/user-id.js";
import type { ChatContext } from "../../chat/context.js";
import { isInAudience } from "../../policy/audience.js";
import { isDsxPerson } from "../../policy/participation.js";
import { tlpTag } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import type { Incident } from "../../store/entities/incident.js";
import { INVITE_JOB } from "./jobs.js";
import { OUTSIDE_AUDIENCE_KEYS, reply, tellTriage } from "./messages.js";
import { ticketLabel } from "./rules.js";
import type { IncidentServices } from "./services.js";

/**
 * Who comes into a ticket and who leaves it: `!dsx invite` (inside the label's audience; DSX's
 * people only at the reporter's word), `!dsx assist` (the reporter asks the DSX team in), and
 * leaving the room, which ends a participant's part in the case (the reporter's never ends).
 */
export class TicketParticipants {
  constructor(private readonly s: IncidentServices) {}

  /** `!dsx invite @user`: only someone inside the ticket's audience, who then takes part. */
  async invite(context: ChatContext, incident: Incident, rest: string): Promise<void> {
    const caseId = incident.caseId;
    const user = rest.trim().split(/\s+/)[0] ?? "";
    if (!isUserId(user)) {
      reply(context, { key: "ticket.inviteNeedsUser" });
      return;
    }
    const label = ticketLabel(incident);
    const bot = this.s.botUserId();
    const { directory } = context;
    const refuse = async (outcome: string, key: string, params: Record<string, string>) => {
      await audit(context.manager, {
        actor: context.inbound.sender,
        action: "incident.invite-refused",
        caseId,
        outcome,
      });
      reply(context, {
        caseId,
        step: "invite",
        key,
        params: { user: user.slice(0, 100), ...params },
      });
    };
    // DSX brokers every exchange, so its people are in every AMBER audience; but they take part
    // in a case only when its reporter asks them in (and then at any label, as with assist).
    const dsx = isDsxPerson(user, directory.dsx.id, directory);
    if (dsx && context.inbound.sender !== incident.reporterId) {
      await refuse("reporter-only", "ticket.inviteReporterOnly", {});
      return;
    }
    const exchange = this.s.store.exchange(incident, directory, bot);
    if (!dsx && !isInAudience(label, user, exchange, directory, bot)) {
      await refuse(label, "ticket.inviteRefused", {
        label: tlpTag(label, this.s.tlpNames),
        reason: context.text({ key: OUTSIDE_AUDIENCE_KEYS[label] }).plain,
      });
      return;
    }
    await this.s.store.addParticipants(
      context.manager,
      incident,
      [user],
      dsx ? "asked" : "invited",
    );
    await this.s.jobs().schedule(context.manager, {
      kind: INVITE_JOB,
      dueAt: Date.now(),
      caseId,
      payload: { invite: user },
    });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.invited",
      caseId,
    });
    reply(context, { caseId, step: "invite", key: "ticket.inviteAccepted", params: { user } });
  }

  /** DSX joins a ticket only with the reporter's yes (RED exchanges include DSX only then). */
  async assist(context: ChatContext, incident: Incident): Promise<void> {
    const caseId = incident.caseId;
    if (context.inbound.sender !== incident.reporterId) {
      reply(context, { caseId, step: "assist", key: "ticket.assistAsk", params: { caseId } });
      return;
    }
    const team = context.directory.dsx.members;
    await this.s.store.addParticipants(context.manager, incident, [...team], "asked");
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
    reply(context, { caseId, step: "assist", key: "ticket.assistInvited", params: { caseId } });
    await tellTriage(this.s, context.manager, {
      label: "GREEN",
      caseId,
      step: "assist",
      key: "ticket.assistTriage",
      params: { caseId },
    });
  }

  /**
   * Someone left the ticket room (or declined, was removed or banned): they take part no more,
   * so a later invitation is checked as anyone's. The reporter stays party: the case is theirs.
   */
  async left(event: MatrixEvent, manager: EntityManager, incident: Incident): Promise<void> {
    const membership: unknown = event.getContent()["membership"];
    if (membership !== "leave" && membership !== "ban") return;
    const userId = event.getStateKey() ?? "";
    if (!(await this.s.store.removeParticipant(manager, incident, userId))) return;
    await audit(manager, {
      actor: userId,
      action: "incident.participant-left",
      caseId: incident.caseId,
    });
  }
}
