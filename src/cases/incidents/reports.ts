import type { ChatContext } from "../../chat/context.js";
import { startDialogue, type Dialogue } from "../../chat/dialogue.js";
import { lines } from "../../chat/render.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import { incidentIntake, summaryText, type IncidentReport } from "./intake.js";
import { newTicketNotice, renderingIn, reply, withheldText } from "./messages.js";
import type { Offers } from "./offers.js";
import { partnerOf } from "./rules.js";
import type { IncidentServices } from "./services.js";

/**
 * Incident reports coming in: `report incident` in a partner's direct message starts the
 * intake; a confirmed report opens a ticket with a case number, and triage is told (details
 * only where the label allows).
 */
export class IncidentReports {
  /** The intake's questions, whose confirmed answers open the ticket. */
  readonly intake: Dialogue;

  constructor(
    private readonly s: IncidentServices,
    private readonly offers: Pick<Offers, "opened">,
    types: () => readonly string[],
    maxFiles: () => number,
  ) {
    this.intake = incidentIntake(types, (context, report) => this.open(context, report), {
      store: s.attachments,
      maxFiles,
    });
  }

  /** `report incident`: the intake starts (again). */
  async start(context: ChatContext): Promise<void> {
    // A report started over drops the files the abandoned one kept aside.
    const previous = await context.conversations.get();
    if (previous?.kind === this.intake.kind)
      await this.intake.discard?.(context.manager, previous.answers);
    reply(context, { key: "incident.start" });
    await startDialogue(context, this.intake);
  }

  private async open(context: ChatContext, report: IncidentReport): Promise<void> {
    const { manager, inbound, directory } = context;
    const now = new Date();
    const caseId = await nextCaseId(manager, "INC", now);
    const partner = partnerOf(directory, inbound.sender) ?? null;
    const region = partner === null ? null : (directory.organisation(partner)?.regions[0] ?? null);
    const incident = await this.s.store.open(
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
    await this.s.attachments.adopt(manager, report.files, caseId);
    await audit(manager, { actor: inbound.sender, action: "incident.opened", caseId });
    reply(context, {
      label: report.label,
      caseId,
      step: "received",
      key: "incident.received",
      params: { caseId },
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
    const triage = this.s.triageRoomId();
    if (triage === undefined) return;
    const inTriage = renderingIn(context, this.s.triageLanguage());
    const organisation =
      partner === null ? "?" : (context.directory.organisation(partner)?.name ?? partner);
    const notice = newTicketNotice(inTriage, {
      caseId,
      report,
      language: context.language,
      organisation,
      region,
    });
    if (report.label === "RED") {
      const text = lines([notice, withheldText(inTriage)]);
      context.send(triage, { label: "GREEN", caseId, step: "notice", text });
      return;
    }
    context.send(triage, { label: "GREEN", caseId, step: "notice", text: notice });
    const details = summaryText(inTriage, report, [], organisation);
    context.send(triage, { label: report.label, caseId, step: "summary", text: details });
  }
}
