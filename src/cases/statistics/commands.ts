import type { Command } from "../../chat/command.js";
import { verbatim } from "../../chat/render.js";
import { statisticsCsv, statisticsText } from "./messages.js";
import { monthOf } from "./rules.js";
import type { StatisticsOptions } from "./statistics.js";
import { countMonth } from "./statistics-store.js";

/** The command table: `!dsx stats` for donors, `!dsx stats-csv` for the DSX team in triage. */
export function statisticsCommands(o: StatisticsOptions): Command[] {
  return [
    {
      words: ["stats"],
      rooms: ["donors"],
      summary: "stats.command",
      run: async (context, rest) => {
        const month = monthOf(rest);
        if (month === undefined) {
          context.reply({ label: "WHITE", text: context.text({ key: "stats.usage" }) });
          return;
        }
        const counts = await countMonth(context.manager, month);
        context.reply({
          label: "GREEN",
          step: "stats",
          text: statisticsText(context, month, counts, o.minimumCount()),
        });
      },
    },
    {
      words: ["stats-csv"],
      rooms: ["triage"],
      summary: "stats.csvCommand",
      allowed: (context) => context.directory.isDsxTeam(context.inbound.sender),
      run: async (context, rest) => {
        const month = monthOf(rest);
        if (month === undefined) {
          context.reply({ label: "WHITE", text: context.text({ key: "stats.usage" }) });
          return;
        }
        const csv = statisticsCsv(
          month,
          await countMonth(context.manager, month),
          o.minimumCount(),
        );
        context.reply({
          label: "GREEN",
          step: "stats",
          text: { plain: csv, html: `<pre><code>${verbatim(csv).html}</code></pre>` },
        });
      },
    },
  ];
}
