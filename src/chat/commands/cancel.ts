import type { Command } from "../command.js";
import type { ConversationState } from "../conversation-store.js";
import type { Dialogue } from "../dialogue.js";

/** `cancel`: drops the conversation in progress and whatever its dialogue kept aside. */
export function cancelCommand(dialogueOf: (state: ConversationState) => Dialogue | undefined) {
  const command: Command = {
    words: ["cancel"],
    rooms: ["direct"],
    summary: "command.cancel",
    async run(context) {
      const current = await context.conversations.get();
      if (current) {
        await context.conversations.end();
        await dialogueOf(current)?.discard?.(context.manager, current.answers);
      }
      context.reply({
        label: "WHITE",
        text: context.text({ key: current ? "cancel.done" : "cancel.nothing" }),
      });
    },
  };
  return command;
}
