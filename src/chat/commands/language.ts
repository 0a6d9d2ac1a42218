import type { Command } from "../command.js";

export const languageCommand: Command = {
  words: ["language"],
  rooms: ["direct"],
  summary: "command.language",
  async run(context, rest) {
    const wanted = rest.toLowerCase();
    if (!context.catalog.has(wanted)) {
      const params = {
        language: rest.slice(0, 20) || "?",
        available: context.catalog.available.join(", "),
      };
      context.reply({ label: "WHITE", text: context.text({ key: "language.unknown", params }) });
      return;
    }
    await context.setLanguage(wanted);
    context.reply({ label: "WHITE", text: context.text({ key: "language.set" }, wanted) });
  },
};
