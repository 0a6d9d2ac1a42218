import type { DialogueField } from "./dialogue.js";

/** The free texts people write are bounded: enough for a full account, not a flood. */
export const MAX_ANSWER_LENGTH = 8000;

/** Words that leave an optional question unanswered. */
const SKIP = /^\s*(skip|none|no|-|nadie|ninguno|omitir)\s*$/i;

/** Whether an answer leaves an optional question unanswered (`skip`, `none`, ...). */
export function isSkip(text: string): boolean {
  return SKIP.test(text);
}

/** `yes`/`no` (and Spanish), or undefined for anything else. */
export function yesNo(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (["yes", "y", "si", "sí"].includes(word)) return true;
  if (["no", "n"].includes(word)) return false;
  return undefined;
}

/**
 * A question answered in free text, up to MAX_ANSWER_LENGTH; `optional` lets `skip` (or
 * `none`) answer it with an empty text.
 */
export function freeTextField(
  name: string,
  question: string,
  options: { optional?: boolean } = {},
): DialogueField {
  return {
    name,
    question: (context) => context.text({ key: question }),
    parse: (context, text) => {
      const trimmed = text.trim();
      if (options.optional === true && isSkip(trimmed)) return { value: "" };
      if (!trimmed) return { problem: context.text({ key: question }) };
      if (trimmed.length > MAX_ANSWER_LENGTH) {
        return {
          problem: context.text({
            key: "inbox.tooLong",
            params: { length: trimmed.length, limit: MAX_ANSWER_LENGTH },
          }),
        };
      }
      return { value: trimmed };
    },
  };
}

/** A question answered `yes` or `no`. */
export function yesNoField(name: string, question: string): DialogueField {
  return {
    name,
    question: (context) => context.text({ key: question }),
    parse: (context, text) => {
      const answer = yesNo(text);
      return answer === undefined
        ? { problem: context.text({ key: "incident.yesNoInvalid" }) }
        : { value: answer };
    },
  };
}
