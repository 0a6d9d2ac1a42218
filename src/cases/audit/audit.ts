import type { ChatModule } from "../../chat/router.js";
import type { VulnerabilityStore } from "../vulnerabilities/vulnerability-store.js";
import { AuditStore } from "./audit-store.js";
import { auditCommands } from "./commands.js";

/**
 * `!dsx audit <INC-…|VUL-…|ALR-…>` in triage, for the DSX team: who did what to the case and
 * when, and every refused send and guard action, as codes (the log holds no contents). An
 * incident's audit is shown while it is open; once closed, its entries keep no one's name. Who
 * acted is shown only where the case's other messages to triage show them (audit-audience.ts).
 * `commands.ts` holds the command, `audit-store.ts` what it reads.
 */
export function auditModule(vulnerabilities: VulnerabilityStore): ChatModule {
  return { commands: auditCommands(new AuditStore(vulnerabilities)) };
}
