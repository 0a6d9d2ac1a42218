import type { ChatContext } from "../../chat/context.js";
import { lines } from "../../chat/render.js";
import type { TicketClosing } from "./closing.js";
import { findOpenIncident } from "./find.js";
import type { IncidentStore } from "./incident-store.js";
import { summaryText } from "./intake.js";
import { matchText, reply, ticketLine, withheldText } from "./messages.js";
import type { Offers } from "./offers.js";
import { outcomeOf, ticketLabel } from "./rules.js";

/**
 * The DSX team's view of tickets in the triage room: the open ones, one ticket's report (never
 * a RED one's), the providers it matches, and closing it.
 */
export class Triage {
  constructor(
    private readonly store: IncidentStore,
    private readonly offers: Pick<Offers, "ranked">,
    private readonly closing: Pick<TicketClosing, "close">,
  ) {}

  /** `!dsx tickets`: the open tickets, one line each. */
  async tickets(context: ChatContext): Promise<void> {
    const open = await this.store.openIncidents(context.manager);
    const text =
      open.length === 0
        ? context.text({ key: "incident.noTickets" })
        : lines(open.map((i) => ticketLine(context, i)));
    context.reply({ label: "GREEN", step: "tickets", text });
  }

  /** `!dsx ticket INC-…`: its report under its label; of a RED one, its line and no more. */
  async ticket(context: ChatContext, rest: string): Promise<void> {
    const incident = await findOpenIncident(context, this.store, rest);
    if (!incident) return;
    const label = ticketLabel(incident);
    if (label === "RED") {
      context.reply({
        label: "GREEN",
        caseId: incident.caseId,
        text: lines([ticketLine(context, incident), withheldText(context)]),
      });
      return;
    }
    const partner =
      incident.partnerOrg === null
        ? "?"
        : (context.directory.organisation(incident.partnerOrg)?.name ?? incident.partnerOrg);
    context.reply({
      label,
      caseId: incident.caseId,
      step: "summary",
      text: summaryText(context, this.store.report(incident), [], partner),
    });
  }

  /** `!dsx match INC-…`: the ranked providers, with the reasons. */
  async match(context: ChatContext, rest: string): Promise<void> {
    const incident = await findOpenIncident(context, this.store, rest);
    if (!incident) return;
    const result = await this.offers.ranked(context.manager, incident);
    context.reply({
      label: "GREEN",
      caseId: incident.caseId,
      step: "match",
      text: matchText(context, incident.caseId, result),
    });
  }

  /** `!dsx close INC-… <reason>`: only the reason's outcome category is kept. */
  async close(context: ChatContext, rest: string): Promise<void> {
    const [id = "", ...reason] = rest.split(/\s+/);
    const incident = await findOpenIncident(context, this.store, id);
    if (!incident) return;
    if (reason.length === 0) {
      reply(context, { key: "incident.closeNeedsReason" });
      return;
    }
    await this.closing.close(
      context.manager,
      incident,
      outcomeOf(reason.join(" ")),
      context.inbound.sender,
    );
  }
}
