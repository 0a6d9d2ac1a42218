import { canonicalUserId, isUserId } from "../../policy/user-id.js";
import type { ChatContext } from "../../chat/context.js";
import type { Answers, Dialogue } from "../../chat/dialogue.js";
import { freeTextField, yesNoField } from "../../chat/fields.js";
import type { Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Who is affected: an organisation of the directory, or a person's Matrix ID. */
export type Affected = { readonly org: string } | { readonly user: string };

/** The answers of a confirmed vulnerability report. */
export interface VulnerabilityReport {
  readonly affected: Affected;
  readonly description: string;
  readonly severity: Severity;
  readonly evidence: string;
  /** The name to credit; undefined for an anonymous report. */
  readonly credit: string | undefined;
  readonly shareContact: boolean;
}

/** Reads who is affected: an organisation's id or name, or a Matrix user ID. */
export function parseAffected(context: ChatContext, answer: string): Affected | undefined {
  const trimmed = answer.trim();
  if (isUserId(trimmed)) return { user: trimmed };
  const lower = trimmed.toLowerCase();
  const org = context.directory.organisations.find(
    (o) => o.id === lower || o.name?.toLowerCase() === lower,
  );
  return org && org.members.length > 0 ? { org: org.id } : undefined;
}

/**
 * The catalogue key of why a reporter may not name this affected party, if they may not:
 * themselves, or their own organisation (by name or through one of its members). The affected
 * party's `fixed` starts the disclosure, so a reporter who were their own affected party could
 * send their own text on to the community.
 */
export function affectedProblem(
  directory: Directory,
  reporter: string,
  affected: Affected,
): string | undefined {
  const own = directory.organisationOf(reporter)?.id;
  if ("org" in affected) return affected.org === own ? "vuln.affectedOwnOrganisation" : undefined;
  // Compared as the server does: `@Mario:Example.org` is the reporter too.
  if (canonicalUserId(affected.user) === canonicalUserId(reporter)) return "vuln.affectedSelf";
  const theirs = directory.organisationOf(directory.resolveUser(affected.user))?.id;
  return own !== undefined && theirs === own ? "vuln.affectedOwnOrganisation" : undefined;
}

/** A contact the directory does not know: the DSX team confirms them before the bot writes. */
export function isOutsideDirectory(directory: Directory, affected: Affected): boolean {
  return "user" in affected && !directory.isKnown(directory.resolveUser(affected.user));
}

/**
 * `report vulnerability`: the questions of DESIGN.md (affected, description, severity,
 * evidence, credit, share-contact), then a summary to confirm.
 */
export function vulnerabilityIntake(
  complete: (context: ChatContext, report: VulnerabilityReport) => Promise<void>,
): Dialogue {
  return {
    kind: "vulnerability",
    fields: [
      {
        name: "affected",
        question: (context) => context.text({ key: "vuln.affected" }),
        parse: (context, answer) => {
          const affected = parseAffected(context, answer);
          const problem =
            affected === undefined
              ? "vuln.affectedInvalid"
              : affectedProblem(context.directory, context.inbound.sender, affected);
          return problem === undefined
            ? { value: affected }
            : { problem: context.text({ key: problem }) };
        },
      },
      freeTextField("description", "vuln.description"),
      {
        name: "severity",
        question: (context) => context.text({ key: "vuln.severity" }),
        parse: (context, answer) => {
          const word = answer.trim().toLowerCase();
          return (SEVERITIES as readonly string[]).includes(word)
            ? { value: word }
            : { problem: context.text({ key: "vuln.severityInvalid" }) };
        },
      },
      freeTextField("evidence", "vuln.evidence"),
      {
        name: "credit",
        question: (context) => context.text({ key: "vuln.credit" }),
        parse: (context, answer) => {
          const trimmed = answer.trim();
          if (!trimmed || trimmed.length > 200)
            return { problem: context.text({ key: "vuln.credit" }) };
          return { value: /^(anonymous|anónimo|anonimo)$/i.test(trimmed) ? "" : trimmed };
        },
      },
      yesNoField("share-contact", "vuln.shareContact"),
    ],
    // The summary repeats the reporter's own words to them alone.
    summaryLabel: () => "AMBER",
    summary: (context, answers) => summaryOf(context, toReport(answers)),
    complete: (context, answers) => complete(context, toReport(answers)),
  };
}

/** The summary of a report in the reader's language. */
export function summaryOf(
  context: Pick<ChatContext, "text" | "directory">,
  report: VulnerabilityReport,
): Rendered {
  return context.text({
    key: "vuln.summary",
    params: {
      affected: affectedName(context, report.affected),
      description: report.description,
      severity: context.text({ key: `urgency.${report.severity}` }).plain,
      evidence: report.evidence,
      credit: report.credit ?? context.text({ key: "vuln.anonymous" }).plain,
      share: context.text({ key: report.shareContact ? "incident.yes" : "incident.no" }).plain,
    },
  });
}

export function affectedName(context: Pick<ChatContext, "directory">, affected: Affected): string {
  if ("user" in affected) return affected.user;
  return context.directory.organisation(affected.org)?.name ?? affected.org;
}

function toReport(answers: Answers): VulnerabilityReport {
  const credit = typeof answers["credit"] === "string" ? answers["credit"] : "";
  return {
    affected: answers["affected"] as Affected,
    description: String(answers["description"]),
    severity: String(answers["severity"]) as Severity,
    evidence: String(answers["evidence"]),
    credit: credit === "" ? undefined : credit,
    shareContact: answers["share-contact"] === true,
  };
}
