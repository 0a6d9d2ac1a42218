import type { Catalog, Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { MAX_ANSWER_LENGTH } from "../../chat/fields.js";
import { lines, renderText, verbatim, type Rendered } from "../../chat/render.js";
import type { Alert } from "../../store/entities/alert.js";
import { findingLines } from "./finding-lines.js";
import type { Finding } from "./identifiers.js";

/** A short answer in the room the command came from (WHITE: it holds nothing of the case). */
export function tell(context: ChatContext, text: Text, caseId?: string): void {
  context.reply({
    label: "WHITE",
    ...(caseId === undefined ? {} : { caseId }),
    text: context.text(text),
  });
}

/** A draft, or its edit, longer than an answer may be. */
export function tooLong(length: number): Text {
  return { key: "alert.tooLong", params: { length, limit: MAX_ANSWER_LENGTH } };
}

/** A draft past review and approval (posted, refused, withdrawn): no longer to be changed. */
export function finished(context: ChatContext, alert: Alert): Text {
  return {
    key: "alert.finished",
    params: {
      caseId: alert.caseId,
      state: context.text({ key: `alertState.${alert.state}` }).plain,
    },
  };
}

/**
 * What the draft room hears while the scan's findings are open: the draft's label, each finding
 * numbered, and how to keep or remove them.
 */
export function findingsReview(
  catalog: Catalog,
  language: string,
  caseId: string,
  label: string,
  findings: readonly Finding[],
): Rendered {
  const t = (text: Text) =>
    renderText(catalog, language, { key: text.key, params: { caseId, ...text.params } });
  return lines([
    t({ key: "alert.findingsHeader", params: { label } }),
    ...findingLines(findings, t),
    t({ key: "alert.findingsHelp" }),
  ]);
}

/** A request for approval: what is asked, then the draft as its recipients will get it. */
export function approvalRequest(
  catalog: Catalog,
  language: string,
  request: Text,
  preview: Rendered | undefined,
): Rendered {
  return lines([renderText(catalog, language, request), ...(preview ? [preview] : [])]);
}

/** The parts of an alert, as its author wrote them. */
interface AlertParts {
  readonly title: string;
  readonly threat: string;
  readonly affected: string;
  readonly action: string;
}

/**
 * Reads a draft: `title | threat | who is affected | what to do`, the parts separated by `|`
 * or by new lines. With a single part, it is the threat (the title is then the generic one);
 * parts beyond the fourth belong to what to do.
 */
function alertParts(text: string): AlertParts {
  const parts = text
    .split(/\s*(?:\||\r?\n)\s*/)
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length <= 1) return { title: "", threat: parts[0] ?? "", affected: "", action: "" };
  const [title = "", threat = "", affected = "", ...action] = parts;
  return { title, threat, affected, action: action.join(" ") };
}

/**
 * The alert as the alert rooms get it: title, threat, who is affected, what to do, headed in
 * the room's language; what the author wrote is escaped, never read as markup.
 */
export function alertText(
  catalog: Catalog,
  language: string,
  caseId: string,
  text: string,
): Rendered {
  const parts = alertParts(text);
  const heading = (key: string) => renderText(catalog, language, { key: `alert.${key}` });
  const part = (key: string, value: string): Rendered[] =>
    value === ""
      ? []
      : [
          {
            plain: `${heading(key).plain} ${value}`,
            html: `<strong>${heading(key).html}</strong> ${verbatim(value).html}`,
          },
        ];
  const title = parts.title === "" ? heading("defaultTitle").plain : parts.title;
  return lines([
    {
      plain: `⚠ ${title} (${caseId})`,
      html: `<strong>⚠ ${verbatim(title).html}</strong> (${caseId})`,
    },
    ...part("threat", parts.threat),
    ...part("affected", parts.affected),
    ...part("action", parts.action),
  ]);
}

/** The warning as its recipients read it: nothing about who reported it. */
export function warningText(
  catalog: Catalog,
  language: string,
  caseId: string,
  text: string,
): Rendered {
  return lines([
    renderText(catalog, language, { key: "warning.header", params: { caseId } }),
    verbatim(text),
    renderText(catalog, language, { key: "warning.footer" }),
  ]);
}
