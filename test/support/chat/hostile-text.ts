import fc from "fast-check";

/**
 * Text a person (or an attacker) may send: what fuzzing feeds every command and question.
 * Markdown injections carry the word {@link MARKDOWN_TOKEN}, which appears nowhere else: if it
 * shows up as `<strong>…</strong>` or `<code>…</code>`, a person's text became markup.
 */
export const MARKDOWN_TOKEN = "mdtok";

const HTML_INJECTIONS = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  '<a href="https://evil.example/">click</a>',
  "<b>bold</b>",
  "</strong></span><font color=red>",
  '"><svg onload=alert(1)>',
  "<mx-reply>fake</mx-reply>",
  "&lt;escaped&gt; &amp; <",
  "<!-- comment -->",
  "<",
  ">",
  "'\"`",
];

const MARKDOWN_INJECTIONS = [
  `**${MARKDOWN_TOKEN}**`,
  `\`${MARKDOWN_TOKEN}\``,
  `[${MARKDOWN_TOKEN}](https://evil.example)`,
  `# ${MARKDOWN_TOKEN}`,
  `_${MARKDOWN_TOKEN}_`,
];

/** Characters that trip up text handling: direction marks, zero width, lone surrogates, emoji. */
const TRICKY_CHARACTERS = [
  "\u202e", // right-to-left override
  "\u200f", // right-to-left mark
  "\u2066", // left-to-right isolate
  "\u200b", // zero-width space
  "\u200d", // zero-width joiner
  "\ufeff", // byte-order mark
  "\ud800", // lone high surrogate
  "\udc00", // lone low surrogate
  "👩🏽‍💻",
  "🏳️‍🌈",
  "\u0000",
  "\u00a0",
  "\r\n",
  "\t",
  "مرحبا",
  "ß",
  "İ",
  "{caseId}",
  "$&",
  "$1",
  "\\",
];

/** One hostile fragment. */
export const hostileFragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HTML_INJECTIONS),
  fc.constantFrom(...MARKDOWN_INJECTIONS),
  fc.constantFrom(...TRICKY_CHARACTERS),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
);

/** Hostile text of modest length (a few fragments, sometimes with spaces). */
export const hostileText: fc.Arbitrary<string> = fc
  .array(fc.oneof(hostileFragment, fc.constantFrom(" ", "\n")), { maxLength: 8 })
  .map((parts) => parts.join(""));

/** Hostile text that has something besides white space (an answer to a free-text question). */
export const hostileAnswer: fc.Arbitrary<string> = fc
  .tuple(hostileText, fc.constantFrom(...HTML_INJECTIONS, ...MARKDOWN_INJECTIONS), hostileText)
  .map(([a, b, c]) => `${a}${b}${c}`);

/** A huge text: one fragment repeated past `length` characters (e.g. 100 KB). */
export function hugeText(length: number): fc.Arbitrary<string> {
  return hostileAnswer.map((fragment) => fragment.repeat(Math.ceil(length / fragment.length)));
}

/**
 * Ways to get a case id almost right: another kind, letter case, year or number length, a zero,
 * a zero-width space or a direction mark inside, other digits, trailing punctuation.
 */
export const CASE_ID_VARIANTS: readonly ((right: string) => string)[] = [
  (id) => id,
  (id) => id.toLowerCase(),
  (id) => id.replace(/-(\d+)$/, "-0$1"),
  (id) => id.replace(/-(\d+)$/, "-0000"),
  (id) => id.replace(/-(\d+)$/, "-9999"),
  (id) => id.replace(/-\d(\d+)$/, "-$1"),
  (id) => id.replace(/^([A-Z]+)-\d{4}/, "$1-1999"),
  (id) => id.replace(/^[A-Z]+/, "INC"),
  (id) => id.replace(/^[A-Z]+/, "VUL"),
  (id) => id.replace(/^[A-Z]+/, "ALR"),
  (id) => id.replace(/^[A-Z]+/, "COC"),
  (id) => id.replace("-", "\u200b-"),
  (id) => id.replace("-", "\u200f-"),
  (id) => id.replace(/0/g, "\u0660"),
  (id) => id.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
  (id) => `${id}.`,
  (id) => `${id},`,
  (id) => `<${id}>`,
  (id) => `${id}<b>`,
  (id) => id.replace(/-/g, "_"),
  (id) => id.replace(/-/g, ""),
  (id) => `${id}${"9".repeat(30)}`,
];

/** A case id almost right (or right), as one of {@link CASE_ID_VARIANTS}. */
export function almostCaseId(right: string): fc.Arbitrary<string> {
  return fc.constantFrom(...CASE_ID_VARIANTS).map((variant) => variant(right));
}

/** A Matrix user ID of any length: the spec allows 255 characters at most. */
export const longUserId: fc.Arbitrary<string> = fc
  .integer({ min: 200, max: 2000 })
  .map((n) => `@${"a".repeat(n)}:example.org`);
