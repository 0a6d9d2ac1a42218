import type { Catalog } from "../../chat/catalog.js";
import { lines, renderText, verbatim, type Rendered } from "../../chat/render.js";

/** The parts of an alert, as its author wrote them. */
export interface AlertParts {
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
export function alertParts(text: string): AlertParts {
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
