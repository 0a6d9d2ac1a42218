import type { EntityManager } from "typeorm";
import type { BotMessage } from "../../chat/bot-message.js";
import type { Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { MatchReason, MatchResult } from "../../policy/matching.js";
import { tlpTag, type TlpLabel } from "../../policy/tlp.js";
import type { Incident } from "../../store/entities/incident.js";
import { summaryText, typeName, type IncidentReport, type RenderContext } from "./intake.js";
import { ticketLabel, ticketUrgency } from "./rules.js";
import type { IncidentServices } from "./services.js";

/** A catalogue text the workflow says: under its label (WHITE unless given), about its case. */
export interface Note {
  readonly label?: TlpLabel;
  readonly caseId?: string;
  readonly step?: string;
  readonly key: string;
  readonly params?: Readonly<Record<string, string | number>>;
  /** The bot leaves the room once this is out (a ticket's closing note). */
  readonly leaveAfter?: boolean;
}

function message(note: Note, text: Rendered): BotMessage {
  return {
    label: note.label ?? "WHITE",
    ...(note.caseId === undefined ? {} : { caseId: note.caseId }),
    ...(note.step === undefined ? {} : { step: note.step }),
    ...(note.leaveAfter === undefined ? {} : { leaveAfter: note.leaveAfter }),
    text,
  };
}

function textOf(note: Note): Text {
  return { key: note.key, ...(note.params === undefined ? {} : { params: note.params }) };
}

/** Answers the person in their language. */
export function reply(context: ChatContext, note: Note): void {
  context.reply(message(note, context.text(textOf(note))));
}

/** Says a note in a room, in the language given (for jobs and room events, which have no chat). */
export function say(
  s: IncidentServices,
  manager: EntityManager,
  roomId: string,
  language: string,
  note: Note,
): Promise<void> {
  return s.say(manager, roomId, message(note, renderText(s.catalog, language, textOf(note))));
}

/** Tells the triage room, in its language, when there is one. */
export async function tellTriage(
  s: IncidentServices,
  manager: EntityManager,
  note: Note,
): Promise<void> {
  const triage = s.triageRoomId();
  if (triage !== undefined) await say(s, manager, triage, s.triageLanguage(), note);
}

/** Rendering in a language outside a chat (for a room, or a person a job writes to). */
export function renderingIn(
  s: Pick<IncidentServices, "catalog" | "tlpNames">,
  language: string,
): RenderContext {
  return {
    language,
    catalog: s.catalog,
    tlpNames: s.tlpNames,
    text: (text, other) => renderText(s.catalog, other ?? language, text),
  };
}

/** The display name of an organisation (its id when it has none). */
export function organisationName(s: Pick<IncidentServices, "directory">, id: string | null) {
  if (id === null) return "";
  return s.directory().organisation(id)?.name ?? id;
}

/** One ticket in `!dsx tickets` and at the head of `!dsx ticket`. */
export function ticketLine(r: RenderContext, incident: Incident): Rendered {
  return r.text({
    key: "incident.ticketLine",
    params: {
      caseId: incident.caseId,
      type: typeName(r, incident.type),
      urgency: r.text({ key: `urgency.${ticketUrgency(incident)}` }).plain,
      label: tlpTag(ticketLabel(incident), r.tlpNames),
      state: r.text({ key: `incidentState.${incident.state}` }).plain,
    },
  });
}

/** One ticket in a person's `status`. */
export function statusLine(r: RenderContext, incident: Incident): Rendered {
  return r.text({
    key: "incident.statusLine",
    params: {
      caseId: incident.caseId,
      type: typeName(r, incident.type),
      urgency: r.text({ key: `urgency.${ticketUrgency(incident)}` }).plain,
      state: r.text({ key: `incidentState.${incident.state}` }).plain,
    },
  });
}

/** Why triage sees no details of a RED ticket. */
export function withheldText(r: RenderContext): Rendered {
  return r.text({
    key: "incident.triageWithheld",
    params: { label: tlpTag("RED", r.tlpNames) },
  });
}

/** The ranked providers for a ticket, with the reasons, as triage reads them (`!dsx match`). */
export function matchText(context: ChatContext, caseId: string, result: MatchResult): Rendered {
  const reason = (r: MatchReason) => {
    const { code, ...params } = r;
    return context.text({ key: `matchReason.${code}`, params }).plain;
  };
  const name = (id: string) => context.directory.organisation(id)?.name ?? id;
  const parts: Rendered[] = [];
  if (result.candidates.length === 0)
    parts.push(context.text({ key: "incident.matchNone", params: { caseId } }));
  else {
    parts.push(context.text({ key: "incident.matchHeader", params: { caseId } }));
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
      .map((e) => `${name(e.provider)} (${context.text({ key: `matchReason.${e.reason}` }).plain})`)
      .join("; ");
    parts.push(context.text({ key: "incident.matchExcluded", params: { list } }));
  }
  return lines(parts);
}

/** What triage hears of a new ticket, whatever its label: its metadata. */
export function newTicketNotice(
  r: RenderContext,
  ticket: {
    readonly caseId: string;
    readonly report: IncidentReport;
    /** The language the reporter speaks (the ticket's). */
    readonly language: string;
    readonly organisation: string;
    readonly region: string | null;
  },
): Rendered {
  return r.text({
    key: "incident.triageNew",
    params: {
      caseId: ticket.caseId,
      type: typeName(r, ticket.report.type),
      urgency: r.text({ key: `urgency.${ticket.report.urgency}` }).plain,
      language: ticket.language,
      organisation: ticket.organisation,
      // The intake asks for no region: it is the partner's, when the directory has one.
      region:
        ticket.region === null
          ? ""
          : r.text({ key: "incident.region", params: { region: ticket.region } }).plain,
    },
  });
}

/** An offer as a provider's person reads it: the ticket's metadata, and how long it stands. */
export function offerText(
  r: RenderContext,
  incident: Incident,
  provider: string,
  within: string,
): Rendered {
  const text = (key: string, params?: Record<string, string>) =>
    r.text({ key, ...(params ? { params } : {}) }).plain;
  return r.text({
    key: "offer.toProvider",
    params: {
      caseId: incident.caseId,
      provider,
      type: typeName(r, incident.type),
      urgency: text(`urgency.${ticketUrgency(incident)}`),
      language: incident.language ?? "",
      region: incident.region === null ? "" : text("incident.region", { region: incident.region }),
      within,
    },
  });
}

/** The report as the ticket room first reads it: a welcome, the summary, and its commands. */
export function ticketReport(
  r: RenderContext,
  caseId: string,
  report: IncidentReport,
  fileNames: readonly string[],
  names: { readonly partner: string; readonly provider: string },
): Rendered {
  return lines([
    r.text({ key: "ticket.welcome", params: { caseId, ...names } }),
    summaryText(r, report, fileNames, names.partner),
    r.text({ key: "ticket.commands", params: { caseId } }),
  ]);
}

/** Why someone is outside a label's audience, for a refused `!dsx invite`. */
export const OUTSIDE_AUDIENCE_KEYS: Readonly<Record<TlpLabel, string>> = {
  RED: "ticket.reasonRed",
  "AMBER+STRICT": "ticket.reasonAmberStrict",
  AMBER: "ticket.reasonAmber",
  GREEN: "ticket.reasonGreen",
  WHITE: "ticket.reasonGreen",
};
