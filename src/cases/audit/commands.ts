import type { Command } from "../../chat/command.js";
import { parseCaseId } from "../../store/case-numbers.js";
import { auditAudience } from "./audit-audience.js";
import type { AuditStore } from "./audit-store.js";
import { auditText } from "./messages.js";

/** The newest entries shown; the log itself keeps them all. */
const SHOWN = 50;

/** The command table: `!dsx audit <case>` in triage, for the DSX team. */
export function auditCommands(store: AuditStore): Command[] {
  return [
    {
      words: ["audit"],
      rooms: ["triage"],
      summary: "audit.command",
      allowed: (context) => context.directory.isDsxTeam(context.inbound.sender),
      run: async (context, rest) => {
        const parsed = parseCaseId(rest.trim().split(/\s+/)[0] ?? "");
        if (parsed === undefined || parsed.kind === "COC") {
          context.reply({ label: "WHITE", text: context.text({ key: "audit.usage" }) });
          return;
        }
        const caseId = parsed.id;
        if (parsed.kind === "INC") {
          const incident = await store.incident(context.manager, caseId);
          if (incident?.state === "closed") {
            context.reply({
              label: "WHITE",
              caseId,
              text: context.text({ key: "audit.closed", params: { caseId } }),
            });
            return;
          }
        }
        const entries = await store.newest(context.manager, caseId, SHOWN);
        if (entries.length === 0) {
          context.reply({
            label: "WHITE",
            text: context.text({ key: "audit.none", params: { caseId } }),
          });
          return;
        }
        const audience = await auditAudience(context.manager, caseId, context.directory, store);
        context.reply({
          // Who acted on a case is about the case: AMBER at least, to the team that brokers it.
          label: audience.label,
          caseId,
          step: "audit",
          text: auditText(context, caseId, entries, audience),
        });
      },
    },
  ];
}
