import { isIPv4, isIPv6 } from "node:net";

/** What kind of thing in a draft could identify the partner or the people involved. */
export type FindingKind =
  "organisation" | "person" | "matrix-id" | "email" | "phone" | "ip" | "url" | "file";

/** One thing found, as it is written in the draft. */
export interface Finding {
  readonly kind: FindingKind;
  readonly text: string;
}

/** What the scan looks for by name: the directory's organisations and people, the case's files. */
export interface KnownNames {
  readonly organisations: readonly { readonly id: string; readonly name?: string | undefined }[];
  /** People by Matrix ID, with the names they may be written as (localpart, display name). */
  readonly people: readonly { readonly userId: string; readonly names: readonly string[] }[];
  readonly fileNames: readonly string[];
}

interface Span extends Finding {
  readonly start: number;
  readonly end: number;
}

/** Names shorter than this are too common as words to flag (`jo`, `it`). */
const MIN_NAME_LENGTH = 3;

const PATTERNS: readonly { kind: FindingKind; pattern: RegExp; valid?: (s: string) => boolean }[] =
  [
    { kind: "url", pattern: /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)]/giu },
    { kind: "matrix-id", pattern: /@[a-z0-9._=/+-]+:[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d+)?/giu },
    { kind: "email", pattern: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/giu },
    { kind: "ip", pattern: /(?<![\w:.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\w)/gu, valid: isIPv4 },
    {
      kind: "ip",
      pattern: /(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/giu,
      valid: isIPv6,
    },
    {
      kind: "phone",
      pattern: /(?<![\w.+])(?:\+|00)?\d(?:[ ().-]{0,2}\d){6,16}(?![\w.])/gu,
      valid: isPhoneLike,
    },
  ];

/**
 * Finds what in a text could identify the partner or the people involved: organisation names
 * and ids, people's Matrix IDs and names, e-mail addresses, phone numbers, IP addresses, URLs,
 * and the names of the case's files. Each distinct text is reported once, in order of first
 * appearance; where two findings overlap the longer wins (a Matrix ID, not the name inside it).
 * It errs on the side of flagging: the author keeps what is harmless.
 */
export function findIdentifiers(text: string, known: KnownNames): Finding[] {
  const spans: Span[] = [];
  for (const { kind, pattern, valid } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      if (valid && !valid(match[0])) continue;
      spans.push({ kind, text: match[0], start: match.index, end: match.index + match[0].length });
    }
  }
  const byName = (kind: FindingKind, names: readonly string[]) => {
    for (const name of names) spans.push(...wordsIn(text, name, kind));
  };
  byName(
    "organisation",
    known.organisations.flatMap((o) => [o.id, ...(o.name === undefined ? [] : [o.name])]),
  );
  byName(
    "person",
    known.people.flatMap((p) => p.names),
  );
  byName("file", known.fileNames);
  spans.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Span[] = [];
  for (const span of spans) {
    const last = kept[kept.length - 1];
    if (last && span.start < last.end) continue;
    kept.push(span);
  }
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const { kind, text: found } of kept) {
    const key = found.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ kind, text: found });
  }
  return findings;
}

/** The localpart of a Matrix ID (`maria` of `@maria:example.org`), a name people go by. */
export function localpartOf(userId: string): string {
  return /^@([^:]+):/.exec(userId)?.[1] ?? userId;
}

/** Every place a name appears as a whole word (case-insensitive). */
function wordsIn(text: string, name: string, kind: FindingKind): Span[] {
  const trimmed = name.trim();
  if (trimmed.length < MIN_NAME_LENGTH) return [];
  const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "giu");
  return [...text.matchAll(pattern)].map((m) => ({
    kind,
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** At least seven digits and not a date (`2026-11-22`) or a plain year range. */
function isPhoneLike(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length < 7 || digits.length > 15 || isIPv4(candidate)) return false;
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(candidate.trim())) return false;
  return !/^\d{4}\s*-\s*\d{4}$/.test(candidate.trim());
}

/**
 * Removes a finding from a text: every appearance of it (case-insensitive) becomes `[…]`.
 */
export function withoutFinding(text: string, finding: string): string {
  const escaped = finding.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(escaped, "giu"), "[…]");
}
