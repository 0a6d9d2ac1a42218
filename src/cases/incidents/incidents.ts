import type { DataSource } from "typeorm";
import type { ChatContext } from "../../chat/context.js";
import type { ChatModule } from "../../chat/router.js";
import { startDialogue } from "../../chat/dialogue.js";
import type { Command } from "../../chat/command.js";
import { lines, type Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import { rankProviders, type MatchReason } from "../../policy/matching.js";
import { parseTlp, tlpName } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId, parseCaseId } from "../../store/case-numbers.js";
import type { Incident } from "../../store/entities/incident.js";
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

const OUTCOMES = ["resolved", "referred", "no-response", "duplicate", "withdrawn"] as const;

/** The outcome category of a closing reason (its first word); the reason's text is not kept. */
function outcomeCategory(word: string): string {
  const lower = word.toLowerCase();
  return (OUTCOMES as readonly string[]).includes(lower) ? lower : "other";
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
        ...this.triageCommands(),
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
          const incident = await this.findForCommand(context, rest);
          if (!incident) return;
          const line = this.ticketLine(context, incident);
          const label = parseTlp(incident.label ?? "") ?? "RED";
          if (label === "RED") {
            const withheld = context.text({
              key: "incident.triageWithheld",
              params: { label: `TLP:${tlpName("RED", context.tlpNames)}` },
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
          };
          context.reply({
            label,
            caseId: incident.caseId,
            step: "summary",
            text: summaryText(context, report),
          });
        },
      },
      {
        words: ["match"],
        rooms: ["triage"],
        summary: "incident.commandMatch",
        allowed: dsxTeam,
        run: async (context, rest) => {
          const incident = await this.findForCommand(context, rest);
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
          const incident = await this.findForCommand(context, id);
          if (!incident) return;
          if (reason.length === 0) {
            context.reply({
              label: "WHITE",
              text: context.text({ key: "incident.closeNeedsReason" }),
            });
            return;
          }
          await this.close(context, incident, outcomeCategory(reason[0] ?? ""));
        },
      },
    ];
  }

  /** The ranked providers for a ticket, with the reasons, as triage reads them. */
  private async matchText(context: ChatContext, incident: Incident): Promise<Rendered> {
    const providers = context.directory.withRole("provider");
    const openCases = await this.store.openCasesByProvider(context.manager);
    const result = rankProviders(
      {
        type: incident.type,
        language: incident.language,
        region: incident.region,
        partnerOrg: incident.partnerOrg,
      },
      providers,
      { openCases, conflicts: new Set(), declined: new Set() },
    );
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

  /** Closes a ticket: the reporter and triage are told (only the outcome category), details go. */
  private async close(context: ChatContext, incident: Incident, outcome: string): Promise<void> {
    const caseId = incident.caseId;
    if (incident.reporterRoomId !== null) {
      context.send(incident.reporterRoomId, {
        label: "WHITE",
        caseId,
        step: "closed",
        text: context.text(
          { key: "incident.closedReporter", params: { caseId } },
          incident.language ?? undefined,
        ),
      });
    }
    const triage = this.options.triageRoomId();
    if (triage !== undefined) {
      context.send(triage, {
        label: "WHITE",
        caseId,
        step: "closed",
        text: context.text({ key: "incident.closedTriage", params: { caseId, outcome } }),
      });
    }
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "incident.closed",
      caseId,
      outcome,
    });
    await this.store.close(context.manager, incident, new Date());
  }

  /** The open ticket a command names, or an answer saying why there is none. */
  private async findForCommand(context: ChatContext, text: string): Promise<Incident | undefined> {
    const parsed = parseCaseId(text.trim().split(/\s+/)[0] ?? "");
    if (parsed?.kind !== "INC") {
      context.reply({ label: "WHITE", text: context.text({ key: "incident.badCaseId" }) });
      return undefined;
    }
    const incident = await this.store.get(context.manager, parsed.id);
    if (!incident || incident.state === "closed") {
      // A closed ticket's id answers "closed" and nothing more.
      const key = incident ? "incident.closedTicket" : "incident.unknownTicket";
      context.reply({ label: "WHITE", text: context.text({ key, params: { caseId: parsed.id } }) });
      return undefined;
    }
    return incident;
  }

  private ticketLine(context: ChatContext, incident: Incident): Rendered {
    return context.text({
      key: "incident.ticketLine",
      params: {
        caseId: incident.caseId,
        type: typeName(context, incident.type),
        urgency: context.text({ key: `urgency.${incident.urgency ?? "medium"}` }).plain,
        label: `TLP:${tlpName(parseTlp(incident.label ?? "") ?? "RED", context.tlpNames)}`,
        state: context.text({ key: `incidentState.${incident.state}` }).plain,
      },
    });
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
    this.tellTriage(context, caseId, report, region);
  }

  /** Triage hears of every ticket; the details go under the ticket's label, never for RED. */
  private tellTriage(
    context: ChatContext,
    caseId: string,
    report: IncidentReport,
    region: string | null,
  ): void {
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
      region: region ?? english("incident.noRegion").plain,
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
