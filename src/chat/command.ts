import type { ChatContext, RoomKind } from "./context.js";

/**
 * A command, declared as data: the words that call it, where it may be used, who may use it,
 * its one-line summary (a catalogue key) for the generated help, and what it does.
 */
export interface Command {
  readonly words: readonly string[];
  readonly rooms: readonly RoomKind[];
  readonly summary: string;
  /**
   * What must follow the words for this command to apply: two commands may share words and
   * differ by their argument (`approve VUL-…`, `approve ALR-…`). One with an argument pattern
   * wins over one without.
   */
  readonly argument?: RegExp;
  /**
   * The kind of report (dialogue) it starts: over the sender's report limit it does not run, and
   * they are told when they may report again.
   */
  readonly opens?: string;
  /** Who may use it, by their place in the directory; everyone when absent. */
  allowed?(context: ChatContext): boolean;
  /**
   * Who of the case it is about may use it, room kind by room kind (the case its argument names,
   * or the ticket room's own): on top of `allowed`, and checked by the workflow with the case at
   * hand; anyone else hears what a stranger to every case hears. README's permission table and
   * its conversation tests read it.
   */
  readonly parties?: Partial<Record<RoomKind, readonly CaseSide[]>>;
  /** `rest` is what follows the command's words, trimmed. */
  run(context: ChatContext, rest: string): Promise<void>;
}

/**
 * A person's side of a case: the partner it is about (an incident's reporter, a vulnerability's
 * affected party, the partner's people asked to approve what is drawn from their case), the
 * provider an incident is offered or assigned to, someone a party invited into the ticket, or the
 * DSX team once the reporter asked it in.
 */
export type CaseSide = "partner" | "provider" | "invited" | "dsx";

/** The prefix of commands outside direct messages. */
export const COMMAND_PREFIX = "!dsx";

/**
 * The command text of a message: all of it in a direct message; elsewhere only what follows
 * `!dsx` (undefined when the message is not addressed to the bot).
 */
export function commandText(text: string, roomKind: RoomKind): string | undefined {
  const trimmed = text.trim();
  if (roomKind === "direct") return trimmed.replace(/^!dsx(\s+|$)/i, "");
  const match = /^!dsx(?:\s+|$)([\s\S]*)$/i.exec(trimmed);
  return match ? (match[1] ?? "").trim() : undefined;
}

/** The command whose words start the text (the longest match wins), with the rest of the text. */
export function findCommand(
  commands: readonly Command[],
  text: string,
): { command: Command; rest: string } | undefined {
  const words = text.split(/\s+/).filter(Boolean);
  let best: { command: Command; rest: string } | undefined;
  const score = (command: Command) => command.words.length * 2 + (command.argument ? 1 : 0);
  for (const command of commands) {
    if (!command.words.every((word, i) => words[i]?.toLowerCase() === word)) continue;
    const rest = text
      .trim()
      .replace(new RegExp(`^${command.words.map(() => "\\S+").join("\\s+")}\\s*`), "");
    if (command.argument && !command.argument.test(rest)) continue;
    if (best === undefined || score(command) > score(best.command)) best = { command, rest };
  }
  return best;
}
