import type { DataSource } from "typeorm";
import type { ChatContext } from "../../chat/context.js";
import type { ChatModule } from "../../chat/router.js";
import { startDialogue } from "../../chat/dialogue.js";
import { lines } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import { tlpName } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import type { FieldCipher } from "../../store/field-cipher.js";
import { IncidentStore } from "./incident-store.js";
import { incidentIntake, summaryText, typeName, type IncidentReport } from "./intake.js";

export interface IncidentsOptions {
  readonly dataSource: DataSource;
  readonly cipher: FieldCipher;
  readonly types: () => readonly string[];
  readonly directory: () => Directory;
  readonly triageRoomId: () => string | undefined;
  readonly botUserId: () => string;
}

/**
 * The incidents workflow, as far as it goes now: intake in the partner's direct message, the
 * ticket opened with a case number, triage told (details only where the label allows), and the
 * partner's `status`.
 */
export class Incidents {
  readonly store: IncidentStore;

  constructor(private readonly options: IncidentsOptions) {
    this.store = new IncidentStore(options.cipher);
  }

  /** The commands, dialogue and status listing of the workflow. */
  chatModule(): ChatModule {
    const intake = incidentIntake(this.options.types, (context, report) =>
      this.opened(context, report),
    );
    return {
      dialogues: [intake],
      commands: [
        {
          words: ["report", "incident"],
          rooms: ["direct"],
          summary: "incident.command",
          allowed: (context) =>
            this.partnerOf(context.directory, context.inbound.sender) !== undefined,
          run: async (context) => {
            context.reply({ label: "WHITE", text: context.text({ key: "incident.start" }) });
            await startDialogue(context, intake);
          },
        },
      ],
      openCases: {
        openCasesOf: async (context) => {
          const incidents = await this.store.openReportedBy(
            context.manager,
            context.inbound.sender,
          );
          return incidents.map((incident) => ({
            label: (incident.label ?? "RED") as "RED",
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

  /** Resolves `INC-…` case ids to their exchange, for the outbox's audience check. */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const incident = await this.store.get(this.options.dataSource.manager, caseId);
        return incident
          ? this.store.exchange(incident, this.options.directory().dsx.id, this.options.botUserId())
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
    await this.store.open(
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
    await audit(manager, { actor: inbound.sender, action: "incident.opened", caseId });
    context.reply({
      label: report.label,
      caseId,
      step: "received",
      text: context.text({ key: "incident.received", params: { caseId } }),
    });
    this.tellTriage(context, caseId, report);
  }

  /** Triage hears of every ticket; the details go under the ticket's label, never for RED. */
  private tellTriage(context: ChatContext, caseId: string, report: IncidentReport): void {
    const triage = this.options.triageRoomId();
    if (triage === undefined) return;
    const english = (key: string, params?: Record<string, string | number>) =>
      context.text({ key, ...(params ? { params } : {}) }, "en");
    const typeLabel = context.catalog.hasKey("en", `incidentType.${report.type}`)
      ? english(`incidentType.${report.type}`).plain
      : report.type;
    const metadata = english("incident.triageNew", {
      caseId,
      type: typeLabel,
      urgency: english(`urgency.${report.urgency}`).plain,
      language: context.language,
      region: "",
    });
    if (report.label === "RED") {
      const withheld = english("incident.triageWithheld", {
        label: `TLP:${tlpName("RED", context.tlpNames)}`,
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
    );
    context.send(triage, { label: report.label, caseId, step: "summary", text: details });
  }
}
