import { toContent, type BotMessage, type MessageContent } from "./bot-message.js";
import { escapeHtml, verbatim } from "./render.js";
import type { TlpNames } from "../policy/tlp.js";

/**
 * The most a message's content may weigh, in UTF-8 bytes of JSON, so that one event stays under
 * the spec's 64 KiB (the whole event, signed and hashed, as homeservers count it): encryption
 * turns the content into base64, a third larger, and the event around it adds about 1.5 KiB.
 * A homeserver refuses a larger event for good (`413 M_TOO_LARGE`), and the message is lost.
 */
export const MAX_CONTENT_BYTES = 40_000;

/** The UTF-8 bytes of a content as JSON (its canonical form has the same length). */
export function contentBytes(content: MessageContent): number {
  return Buffer.byteLength(JSON.stringify(content), "utf8");
}

/**
 * The events a message becomes: one, or, when it is too large for one (a report of long
 * answers in a script of two or three bytes a character, shown twice as text and HTML), parts
 * of its plain text numbered `(1/3)`, each with the label and case and `org.dsx.part`. The
 * question or step goes with the last part only, so that whoever waits for it has the whole
 * message. The parts are plain text (escaped, lines kept): light markup is not split safely.
 */
export function toContents(message: BotMessage, names: TlpNames): MessageContent[] {
  const whole = toContent(message, names);
  if (contentBytes(whole) <= MAX_CONTENT_BYTES || message.attachment !== undefined) return [whole];
  const bare: BotMessage = {
    label: message.label,
    ...(message.caseId === undefined ? {} : { caseId: message.caseId }),
    ...(message.privateTo === undefined ? {} : { privateTo: message.privateTo }),
    text: verbatim(""),
  };
  const overhead = contentBytes(toContent({ ...message, text: verbatim("") }, names)) + 100;
  const pieces = splitToBudget(message.text.plain, MAX_CONTENT_BYTES - overhead);
  return pieces.map((piece, i) => {
    const part = `${i + 1}/${pieces.length}`;
    const last = i === pieces.length - 1;
    const text = verbatim(`(${part}) ${piece}`);
    return {
      ...toContent(last ? { ...message, text } : { ...bare, text }, names),
      "org.dsx.part": part,
    };
  });
}

/** What one character costs in the content: in `body` and, escaped, in `formatted_body`. */
function charBytes(char: string): number {
  const json = (s: string): number => Buffer.byteLength(JSON.stringify(s), "utf8") - 2;
  return json(char) + json(char === "\n" ? "<br>" : escapeHtml(char));
}

/**
 * Cuts text into pieces that each cost at most `budget`, at a line break where one is in
 * reach, else at a space, else between two characters (never inside one).
 */
function splitToBudget(text: string, budget: number): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let cost = 0;
    let end = start;
    let lastLine = -1;
    let lastSpace = -1;
    while (end < chars.length) {
      const char = chars[end] ?? "";
      const next = cost + charBytes(char);
      if (next > budget && end > start) break;
      cost = next;
      end++;
      if (char === "\n") lastLine = end;
      else if (/\s/.test(char)) lastSpace = end;
    }
    const cut =
      end === chars.length
        ? end
        : lastLine > start
          ? lastLine
          : lastSpace > start
            ? lastSpace
            : end;
    pieces.push(chars.slice(start, cut).join("").replace(/\n$/, ""));
    start = cut;
  }
  return pieces;
}
