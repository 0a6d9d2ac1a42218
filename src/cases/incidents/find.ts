import type { ChatContext } from "../../chat/context.js";
import { parseCaseId } from "../../store/case-numbers.js";
import type { Incident } from "../../store/entities/incident.js";
import type { IncidentStore } from "./incident-store.js";
import { reply } from "./messages.js";

/**
 * The open ticket a command names, or an answer saying why there is none. A closed ticket's id
 * answers "closed" and nothing more.
 */
export async function findOpenIncident(
  context: ChatContext,
  store: IncidentStore,
  text: string,
): Promise<Incident | undefined> {
  const parsed = parseCaseId(text.trim().split(/\s+/)[0] ?? "");
  if (parsed?.kind !== "INC") {
    reply(context, { key: "incident.badCaseId" });
    return undefined;
  }
  const incident = await store.get(context.manager, parsed.id);
  if (!incident || incident.state === "closed") {
    const key = incident ? "incident.closedTicket" : "incident.unknownTicket";
    reply(context, { key, params: { caseId: parsed.id } });
    return undefined;
  }
  return incident;
}
