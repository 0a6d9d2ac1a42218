import type { BotMessage } from "../../chat/bot-message.js";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import { type Catalog, type Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { BanTally } from "../../matrix/room-bans.js";
import type { ReportDetails } from "./conduct-store.js";
import { reportText } from "./intake.js";

/** An answer to whoever used a command, in their language; about a step of a case if given. */
export function answer(
  context: Pick<ChatContext, "text">,
  text: Text,
  about?: { readonly caseId: string; readonly step: string },
): BotMessage {
  return { label: "WHITE", ...about, text: context.text(text) };
}

/**
 * The report as its handlers get it on joining its room: which body handles it, who reported
 * it (unless they asked for anonymity), what they said, whom the bot took the person named for,
 * how many others reported that person before, and the commands.
 */
export function reportForHandlers(
  catalog: Catalog,
  directory: Pick<Directory, "resolveUser">,
  report: { readonly caseId: string; readonly details: ReportDetails; readonly earlier: number },
): BotMessage {
  const { caseId, details, earlier } = report;
  const t = (text: Text) => renderText(catalog, DEFAULT_LANGUAGE, text);
  return {
    label: "RED",
    caseId,
    step: "report",
    text: lines([
      t({
        key:
          details.handledBy === "advisory-committee"
            ? "conduct.roomHeaderCommittee"
            : "conduct.roomHeader",
        params: { caseId },
      }),
      t({
        key: "conduct.reportedBy",
        params: {
          reporter: details.anonymous
            ? t({ key: "conduct.anonymousReporter" }).plain
            : details.reporter,
        },
      }),
      reportText({ text: t }, details),
      ...namedAs(catalog, directory, details.who),
      ...(earlier > 0 ? [t({ key: "conduct.earlier", params: { count: earlier } })] : []),
      t({ key: "conduct.commands" }),
    ]),
  };
}

/**
 * When the person named was written otherwise than the directory spells them, the team is
 * told whom the bot took them for (and so recused): a doubt is decided for recusal, openly.
 */
function namedAs(
  catalog: Catalog,
  directory: Pick<Directory, "resolveUser">,
  typed: string | undefined,
): Rendered[] {
  if (typed === undefined) return [];
  const person = directory.resolveUser(typed);
  if (person === typed) return [];
  return [
    renderText(catalog, DEFAULT_LANGUAGE, { key: "conduct.namedAs", params: { typed, person } }),
  ];
}

/** To DSX's other people, when everyone who could handle a report is recused. */
export function needsHandling(catalog: Catalog, language: string, caseId: string): BotMessage {
  return {
    label: "WHITE",
    caseId,
    step: "needs-handling",
    text: renderText(catalog, language, { key: "conduct.needsHandling", params: { caseId } }),
  };
}

/** A warning, in the warned person's direct room: the team's words, never the case or reporter. */
export function warning(catalog: Catalog, message: string): BotMessage {
  return {
    label: "WHITE",
    step: "warning",
    text: lines([
      renderText(catalog, DEFAULT_LANGUAGE, { key: "conduct.warningHeader" }),
      renderText(catalog, DEFAULT_LANGUAGE, { key: "conduct.warningText", params: { message } }),
    ]),
  };
}

/** To the report's room: how an expulsion's bans went. */
export function expelled(
  catalog: Catalog,
  caseId: string,
  user: string,
  tally: BanTally,
): BotMessage {
  return {
    label: "WHITE",
    caseId,
    step: "expelled",
    text: renderText(catalog, DEFAULT_LANGUAGE, {
      key: "conduct.expelled",
      params: { user, ...tally },
    }),
  };
}

/** To the reporter: where their report is, in their language (the case id is always a param). */
export function reporterStatus(
  catalog: Catalog,
  language: string,
  caseId: string,
  text: Text,
): BotMessage {
  return {
    label: "WHITE",
    caseId,
    step: "status",
    text: renderText(catalog, language, { key: text.key, params: { caseId, ...text.params } }),
  };
}

/** The report room's closing note; the bot leaves the room once it is out. */
export function closedRoom(
  context: Pick<ChatContext, "text">,
  caseId: string,
  outcome: string,
): BotMessage {
  return {
    label: "WHITE",
    caseId,
    step: "closed",
    leaveAfter: true,
    text: context.text({ key: "conduct.closedRoom", params: { caseId, outcome } }),
  };
}
