import { commandText, findCommand, type Command } from "./command.js";
import { cancelCommand } from "./commands/cancel.js";
import { helpCommand, helpText } from "./commands/help.js";
import { languageCommand } from "./commands/language.js";
import { statusCommand, type OpenCaseLister } from "./commands/status.js";
import type { ChatContext } from "./context.js";
import type { ConversationState } from "./conversation-store.js";
import { continueDialogue, fileForDialogue, takesFiles, type Dialogue } from "./dialogue.js";
import { reportHeld } from "./limit-answers.js";
import type { ReceivedFile } from "./received-file.js";

/** What a workflow adds to the conversation: its commands, dialogues and open-case listing. */
export interface ChatModule {
  readonly commands?: readonly Command[];
  readonly dialogues?: readonly Dialogue[];
  readonly openCases?: OpenCaseLister;
  /** Sees every text message before it is routed (e.g. a `TLP:RED` mark in a ticket room). */
  readonly observers?: readonly ((context: ChatContext) => Promise<void>)[];
}

/**
 * Decides what a message means: an answer to the question in progress, a command, or something
 * the bot does not know (answered with the help of that room). One table of commands, built
 * from the core ones and each workflow's module.
 */
export class ChatRouter {
  readonly commands: readonly Command[];
  private readonly dialogues: ReadonlyMap<string, Dialogue>;
  private readonly observers: readonly ((context: ChatContext) => Promise<void>)[];

  constructor(modules: readonly ChatModule[]) {
    const listers = modules.flatMap((m) => (m.openCases ? [m.openCases] : []));
    this.commands = [
      helpCommand(() => this.commands),
      statusCommand(() => listers),
      cancelCommand((state) => this.dialogues.get(state.kind)),
      languageCommand,
      ...modules.flatMap((m) => m.commands ?? []),
    ];
    this.dialogues = new Map(modules.flatMap((m) => m.dialogues ?? []).map((d) => [d.kind, d]));
    this.observers = modules.flatMap((m) => m.observers ?? []);
  }

  /** Whether a conversation in this state would take a file now (worth downloading it). */
  takesFiles(state: ConversationState | undefined): boolean {
    const dialogue = state && this.dialogues.get(state.kind);
    return state !== undefined && dialogue !== undefined && takesFiles(dialogue, state);
  }

  /** A file sent in a direct message: true when the conversation in progress took it. */
  async handleFile(context: ChatContext, file: ReceivedFile): Promise<boolean> {
    if (context.inbound.roomKind !== "direct") return false;
    const state = await context.conversations.get();
    const dialogue = state && this.dialogues.get(state.kind);
    if (!state || !dialogue) return false;
    return fileForDialogue(context, dialogue, state, file);
  }

  /** The dialogue a stored conversation belongs to. */
  dialogueOf(state: ConversationState): Dialogue | undefined {
    return this.dialogues.get(state.kind);
  }

  async handle(context: ChatContext): Promise<void> {
    const { roomKind } = context.inbound;
    for (const observe of this.observers) await observe(context);
    const text = commandText(context.inbound.text, roomKind);
    if (text === undefined) return;

    if (roomKind === "direct") {
      const state = await context.conversations.get();
      const dialogue = state && this.dialogues.get(state.kind);
      if (state && !dialogue) await context.conversations.end();
      if (state && dialogue && !/^cancel$/i.test(text)) {
        await continueDialogue(context, dialogue, state, text);
        return;
      }
    }

    const found = findCommand(
      this.commands.filter((c) => c.rooms.includes(roomKind)),
      text,
    );
    if (found && (found.command.allowed?.(context) ?? true)) {
      const { opens } = found.command;
      if (opens !== undefined && (await reportHeld(context, opens, "limits.reportStart"))) return;
      await found.command.run(context, found.rest);
      return;
    }
    const word = text.split(/\s+/)[0] ?? "";
    const header = word
      ? context.text({ key: "help.unknown", params: { command: word.slice(0, 40) } })
      : context.text({ key: "help.header" });
    context.reply({ label: "WHITE", text: helpText(context, this.commands, header) });
  }
}
