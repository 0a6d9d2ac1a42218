import type { ChatContext } from "../../chat/context.js";
import { lines, verbatim, type Rendered } from "../../chat/render.js";
import type { AuditEntry } from "../../store/entities/audit-entry.js";
import { time } from "../vulnerabilities/messages.js";
import type { AuditAudience } from "./audit-audience.js";

/** A case's audit: a header, then one line per entry, oldest first, as codes. */
export function auditText(
  context: Pick<ChatContext, "text">,
  caseId: string,
  newestFirst: readonly AuditEntry[],
  audience: AuditAudience,
): Rendered {
  return lines([
    context.text({ key: "audit.header", params: { caseId, count: newestFirst.length } }),
    ...[...newestFirst]
      .reverse()
      .map((e) =>
        verbatim(
          [time(e.createdAt), audience.actor(e.actor), e.action, e.outcome ?? ""]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
  ]);
}
