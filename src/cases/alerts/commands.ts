import type { Command } from "../../chat/command.js";
import type { Alerts } from "./alerts.js";
import type { Approvals } from "./approvals.js";
import type { Warnings } from "./warnings.js";

/** What the commands of sharing run. */
export interface SharingExecutors {
  readonly alerts: Pick<Alerts, "alert">;
  readonly warnings: Pick<Warnings, "warn">;
  readonly approvals: Pick<Approvals, "approve" | "refuse">;
}

/**
 * The commands of sharing: drafting a community alert or a private warning, and the partner's
 * (or the advisory committee's) answer to its request for approval.
 */
export function sharingCommands({ alerts, warnings, approvals }: SharingExecutors): Command[] {
  return [
    {
      words: ["approve"],
      rooms: ["ticket", "direct"],
      argument: /^(?:ALR-|$)/i,
      summary: "alert.commandApprove",
      parties: { ticket: ["partner"], direct: ["partner"] },
      run: (context, rest) => approvals.approve(context, rest),
    },
    {
      words: ["approve"],
      rooms: ["advisory"],
      argument: /^ALR-/i,
      summary: "alert.commandApproveAdvisory",
      run: (context, rest) => approvals.approve(context, rest),
    },
    {
      words: ["refuse"],
      rooms: ["ticket", "direct"],
      argument: /^(?:ALR-|$)/i,
      summary: "alert.commandRefuse",
      parties: { ticket: ["partner"], direct: ["partner"] },
      run: (context, rest) => approvals.refuse(context, rest),
    },
    {
      words: ["alert"],
      rooms: ["ticket", "triage"],
      summary: "alert.command",
      allowed: (context) =>
        context.inbound.roomKind !== "triage" ||
        context.directory.isDsxTeam(context.inbound.sender),
      parties: { ticket: ["partner", "provider", "invited", "dsx"] },
      run: (context, rest) => alerts.alert(context, rest),
    },
    {
      words: ["warn-partner"],
      rooms: ["ticket", "triage"],
      summary: "warning.command",
      allowed: (context) =>
        context.inbound.roomKind !== "triage" ||
        context.directory.isDsxTeam(context.inbound.sender),
      parties: { ticket: ["provider"] },
      run: (context, rest) => warnings.warn(context, rest),
    },
  ];
}
