import type { Command } from "../command.js";
import type { ChatContext } from "../context.js";
import { lines, list, type Rendered } from "../render.js";

/** The help of the room the person is in: the commands they may use there. */
export function helpText(
  context: ChatContext,
  commands: readonly Command[],
  header: Rendered,
): Rendered {
  const usable = commands.filter(
    (c) => c.rooms.includes(context.inbound.roomKind) && (c.allowed?.(context) ?? true),
  );
  if (usable.length === 0) return context.text({ key: "help.nothing" });
  const parts = [header, list(usable.map((c) => context.text({ key: c.summary })))];
  if (context.inbound.roomKind !== "direct") parts.push(context.text({ key: "help.roomPrefix" }));
  return lines(parts);
}

export function helpCommand(commands: () => readonly Command[]): Command {
  return {
    words: ["help"],
    rooms: [
      "direct",
      "triage",
      "abuseTeam",
      "advisory",
      "donors",
      "ticket",
      "report",
      "warning",
      "other",
    ],
    summary: "command.help",
    run(context) {
      context.reply({
        label: "WHITE",
        text: helpText(context, commands(), context.text({ key: "help.header" })),
      });
      return Promise.resolve();
    },
  };
}
