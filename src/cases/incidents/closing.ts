import type { EntityManager } from "typeorm";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import { audit } from "../../store/audit-log.js";
import type { Incident } from "../../store/entities/incident.js";
import { languageOf } from "../../store/people.js";
import { say, tellTriage } from "./messages.js";
import type { IncidentServices } from "./services.js";

/** What else forgets a closing ticket (its alert drafts), in the same transaction. */
export type ForgetElsewhere = (manager: EntityManager, caseId: string) => Promise<void>;

/**
 * Closing a ticket, by triage's `!dsx close` or the ticket room's: a closing note in its room
 * (and the bot leaves it), the reporter told, triage told only the outcome category; then every
 * detail is deleted.
 */
export class TicketClosing {
  constructor(
    private readonly s: IncidentServices,
    private readonly forgetElsewhere?: ForgetElsewhere,
  ) {}

  async close(
    manager: EntityManager,
    incident: Incident,
    outcome: string,
    actor: string,
  ): Promise<void> {
    const caseId = incident.caseId;
    if (incident.ticketRoomId !== null) {
      const language = incident.language ?? DEFAULT_LANGUAGE;
      await say(this.s, manager, incident.ticketRoomId, language, {
        caseId,
        step: "closed",
        leaveAfter: true,
        key: "ticket.closed",
        params: { caseId, outcome },
      });
    }
    if (incident.reporterRoomId !== null && incident.reporterId !== null) {
      const language = await languageOf(manager, incident.reporterId);
      await say(this.s, manager, incident.reporterRoomId, language, {
        caseId,
        step: "closed",
        key: "incident.closedReporter",
        params: { caseId },
      });
    }
    await tellTriage(this.s, manager, {
      caseId,
      step: "closed",
      key: "incident.closedTriage",
      params: { caseId, outcome },
    });
    await audit(manager, { actor, action: "incident.closed", caseId, outcome });
    await this.forgetElsewhere?.(manager, caseId);
    await this.s.store.close(manager, incident, new Date());
  }
}
