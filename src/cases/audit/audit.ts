import { lines, verbatim } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import { parseCaseId } from "../../store/case-numbers.js";
import { AuditEntry } from "../../store/entities/audit-entry.js";
import { Incident } from "../../store/entities/incident.js";
import { time } from "../vulnerabilities/messages.js";
import type { VulnerabilityStore } from "../vulnerabilities/vulnerability-store.js";
import { auditAudience } from "./audit-audience.js";

/** The newest entries shown; the log itself keeps them all. */
const SHOWN = 50;

/**
 * `!dsx audit <INC-…|VUL-…|ALR-…>` in triage, for the DSX team: who did what to the case and
 * when, and every refused send and guard action, as codes (the log holds no contents). An
 * incident's audit is shown while it is open; once closed, its entries keep no one's name. Who
 * acted is shown only where the case's other messages to triage show them (audit-audience.ts).
 */
export function auditModule(vulnerabilities: VulnerabilityStore): ChatModule {
  return {
    commands: [
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
            const incident = await context.manager.findOneBy(Incident, { caseId });
            if (incident?.state === "closed") {
              context.reply({
                label: "WHITE",
                caseId,
                text: context.text({ key: "audit.closed", params: { caseId } }),
              });
              return;
            }
          }
          const entries = await context.manager.find(AuditEntry, {
            where: { caseId },
            order: { id: "DESC" },
            take: SHOWN,
          });
          if (entries.length === 0) {
            context.reply({
              label: "WHITE",
              text: context.text({ key: "audit.none", params: { caseId } }),
            });
            return;
          }
          const audience = await auditAudience(
            context.manager,
            caseId,
            context.directory,
            vulnerabilities,
          );
          context.reply({
            // Who acted on a case is about the case: AMBER at least, to the team that brokers it.
            label: audience.label,
            caseId,
            step: "audit",
            text: lines([
              context.text({ key: "audit.header", params: { caseId, count: entries.length } }),
              ...entries
                .reverse()
                .map((e) =>
                  verbatim(
                    [time(e.createdAt), audience.actor(e.actor), e.action, e.outcome ?? ""]
                      .filter(Boolean)
                      .join(" · "),
                  ),
                ),
            ]),
          });
        },
      },
    ],
  };
}
