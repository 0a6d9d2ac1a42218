import type { BotMessage } from "../bot-message.js";
import type { Command } from "../command.js";
import type { ChatContext } from "../context.js";

/**
 * A workflow that can describe a person's open cases (each workflow registers one). Each case
 * is its own message, under its own label and case, so the outbox checks each against its case.
 */
export interface OpenCaseLister {
  openCasesOf(context: ChatContext): Promise<BotMessage[]>;
}

export function statusCommand(listers: () => readonly OpenCaseLister[]): Command {
  return {
    words: ["status"],
    rooms: ["direct"],
    summary: "command.status",
    async run(context) {
      const cases = (await Promise.all(listers().map((l) => l.openCasesOf(context)))).flat();
      if (cases.length === 0)
        context.reply({ label: "WHITE", text: context.text({ key: "status.none" }) });
      for (const message of cases) context.reply(message);
    },
  };
}
