import type { Catalog, Text } from "./catalog.js";
import { tlpColour, tlpTag, type TlpLabel, type TlpNames } from "../policy/tlp.js";

/** A piece of a message in both forms a Matrix message carries. */
export interface Rendered {
  readonly plain: string;
  readonly html: string;
}

/** Escapes text for Matrix's HTML subset. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Renders a catalogue text. The catalogue's light markup (`**bold**`, `` `code` ``, new lines)
 * becomes HTML; the values filled into placeholders are escaped and never read as markup, since
 * they may be what a person typed.
 */
export function renderText(catalog: Catalog, language: string, text: Text): Rendered {
  const template = catalog.template(language, text.key);
  const fill = (escape: (s: string) => string) => (whole: string, name: string) => {
    const value = text.params?.[name];
    return value === undefined ? whole : escape(String(value));
  };
  const plain = template.replace(/\*\*/g, "").replace(
    /\{(\w+)\}/g,
    fill((s) => s),
  );
  const html = markup(escapeHtml(template)).replace(/\{(\w+)\}/g, fill(escapeHtml));
  return { plain, html };
}

/** Text that is not in the catalogue (a case id, a list item built from data): escaped only. */
export function verbatim(text: string): Rendered {
  return { plain: text, html: escapeHtml(text).replace(/\n/g, "<br>") };
}

/** Joins pieces as lines. */
export function lines(parts: readonly Rendered[]): Rendered {
  return {
    plain: parts.map((p) => p.plain).join("\n"),
    html: parts.map((p) => p.html).join("<br>"),
  };
}

/** A bulleted list. */
export function list(items: readonly Rendered[]): Rendered {
  return {
    plain: items.map((item) => `- ${item.plain}`).join("\n"),
    html: `<ul>${items.map((item) => `<li>${item.html}</li>`).join("")}</ul>`,
  };
}

/**
 * Someone else's words, set off as theirs: a block quote in HTML, `> ` before each line in the
 * plain body (as Element writes a quote), so that they cannot pass as the bot's own.
 */
export function quoted(text: string): Rendered {
  return {
    plain: text
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n"),
    html: `<blockquote>${verbatim(text).html}</blockquote>`,
  };
}

/** The label as it heads a message: `TLP:AMBER`, in its colour on black as FIRST prescribes. */
export function labelTag(label: TlpLabel, names: TlpNames): Rendered {
  const name = tlpTag(label, names);
  const colour = tlpColour(label);
  return {
    plain: `[${name}]`,
    html: `<strong><span data-mx-color="${colour}" data-mx-bg-color="#000000">${name}</span></strong>`,
  };
}

function markup(escaped: string): string {
  return escaped
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\n/g, "<br>");
}
