import type { Directory } from "../../config/directory.js";
import { parseTlp, type TlpLabel } from "../../policy/tlp.js";
import type { Incident, IncidentState } from "../../store/entities/incident.js";
import { URGENCIES, type Urgency } from "./intake.js";

/** The label a ticket is held to; RED before one is chosen (the safest reading). */
export function ticketLabel(incident: Pick<Incident, "label">): TlpLabel {
  return incident.label ?? "RED";
}

/** A ticket's urgency; medium when it has none it can read (as the intake's middle answer). */
export function ticketUrgency(incident: Pick<Incident, "urgency">): Urgency {
  return URGENCIES.find((urgency) => urgency === incident.urgency) ?? "medium";
}

/** The states people in the ticket room may set (`closed` is `!dsx close`). */
export const SETTABLE_STATES: readonly IncidentState[] = [
  "new",
  "in-progress",
  "waiting",
  "resolved",
];

const OUTCOMES = ["resolved", "referred", "no-response", "duplicate", "withdrawn"] as const;

/** The outcome category of a closing text (its first word); the rest of the text is not kept. */
export function outcomeOf(text: string): string {
  const word = (text.trim().split(/\s+/)[0] ?? "").toLowerCase().replace(/[^a-z-]/g, "");
  if (word === "") return "resolved";
  return (OUTCOMES as readonly string[]).includes(word) ? word : "other";
}

/**
 * A `TLP:<LABEL>` mark at the start of a message: the label a participant holds the ticket room
 * to from then on (when it is stricter than the ticket's).
 */
export function markedLabel(text: string): TlpLabel | undefined {
  const mark = /^\s*TLP:\s*(RED|AMBER\+STRICT|AMBER|GREEN|WHITE|CLEAR)\b/i.exec(text);
  return mark ? parseTlp(mark[1] ?? "") : undefined;
}

/** The partner organisation a person reports for: as a member, or else as an affiliate. */
export function partnerOf(directory: Directory, userId: string): string | undefined {
  const own = directory.organisationOf(userId);
  if (own?.role === "partner") return own.id;
  return directory.affiliationsOf(userId).find((org) => org.role === "partner")?.id;
}

/** The provider organisation a person answers offers for (members only). */
export function providerOf(directory: Directory, userId: string): string | undefined {
  const organisation = directory.organisationOf(userId);
  return organisation?.role === "provider" ? organisation.id : undefined;
}

/**
 * The provider `!dsx assign` may offer the ticket to (`who` names it, or one of its people), or
 * why it may not (a catalogue key and its parameters): none named, no such provider, one already
 * assigned, no consent to share, or the reporting partner's own organisation.
 */
export function assignee(
  directory: Directory,
  incident: Pick<Incident, "providerOrg" | "consent" | "partnerOrg">,
  who: string,
): { problem: readonly [key: string, params: Record<string, string>] } | { provider: string } {
  const provider = who.startsWith("@")
    ? directory.organisationOf(who)
    : directory.organisation(who.toLowerCase());
  const name = (id: string) => directory.organisation(id)?.name ?? id;
  if (who === "") return { problem: ["offer.assignNeedsProvider", {}] };
  if (provider?.role !== "provider")
    return { problem: ["offer.unknownProvider", { provider: who.slice(0, 80) }] };
  if (incident.providerOrg !== null)
    return { problem: ["offer.alreadyAssigned", { provider: name(incident.providerOrg) }] };
  if (incident.consent !== true) return { problem: ["offer.noConsent", {}] };
  if (provider.id === incident.partnerOrg)
    return { problem: ["offer.ownOrganisation", { provider: name(provider.id) }] };
  return { provider: provider.id };
}
