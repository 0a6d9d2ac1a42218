import type { Command } from "../command.js";

export const cancelCommand: Command = {
  words: ["cancel"],
  rooms: ["direct"],
  summary: "command.cancel",
  async run(context) {
    const current = await context.conversations.get();
    if (current) await context.conversations.end();
    context.reply({
      label: "WHITE",
      text: context.text({ key: current ? "cancel.done" : "cancel.nothing" }),
    });
  },
};
