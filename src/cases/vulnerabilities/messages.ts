import type { Catalog, Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { lines, quoted, renderText, type Rendered } from "../../chat/render.js";
import { spokenDuration } from "../../chat/spoken-duration.js";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { findingLines } from "../alerts/finding-lines.js";
import type { Finding } from "../alerts/identifiers.js";
import type { PlannedJob } from "./rules.js";

/** A time as the messages show it: `2026-11-22 16:05:09 UTC`. */
export function time(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

/** What step 3 discloses of a case. */
export interface Disclosure {
  readonly caseId: string;
  /** The affected organisation's name; "—" for a contact outside the directory. */
  readonly affected: string;
  readonly severity: string;
  readonly description: string;
  /** The name to credit; "" for an anonymous report. */
  readonly credit: string;
}

/** The disclosure text: one for every room it goes to, as the DSX team reviewed it. */
export function disclosureText(catalog: Catalog, disclosure: Disclosure): Rendered {
  const t = (text: Text) => renderText(catalog, DEFAULT_LANGUAGE, text);
  return t({
    key: "vuln.disclosure",
    params: {
      ...disclosure,
      credit:
        disclosure.credit === "" ? t({ key: "vuln.creditAnonymous" }).plain : disclosure.credit,
    },
  });
}

/**
 * The DSX team's review of a disclosure text: the text as the rooms would get it, what the
 * identifier scan (the alerts' own) finds in the reporter's words, and how to release it.
 */
export function reviewRequest(
  render: (text: Text) => Rendered,
  caseId: string,
  header: Text,
  disclosure: Rendered,
  findings: readonly Finding[],
): Rendered {
  return lines([
    render(header),
    disclosure,
    render({ key: findings.length > 0 ? "vuln.reviewFindings" : "vuln.reviewNoFindings" }),
    ...findingLines(findings, render),
    render({ key: "vuln.reviewHelp", params: { caseId } }),
  ]);
}

/** What the affected party's notice (step 1) tells them. */
export interface Notice {
  readonly caseId: string;
  readonly severity: string;
  readonly description: string;
  readonly evidence: string;
  readonly respondBy: number;
  /** How long after the notice the case is disclosed (`policy.disclosure.discloseAfter`). */
  readonly discloseAfter: number;
  /** How the reporter may be reached; undefined unless they agreed to share it. */
  readonly contact: string | undefined;
}

/** The notice to one of the affected party's contacts, in their language. */
export function noticeText(catalog: Catalog, language: string, notice: Notice): Rendered {
  const t = (text: Text) => renderText(catalog, language, text);
  const { caseId } = notice;
  // The reporter's words are quoted as theirs, so that none of them passes as DSX's.
  return lines([
    t({
      key: "vuln.notice",
      params: { caseId, severity: t({ key: `urgency.${notice.severity}` }).plain },
    }),
    t({ key: "vuln.noticeReporterWrote" }),
    quoted(notice.description),
    t({ key: "vuln.noticeEvidence" }),
    quoted(notice.evidence),
    t({
      key: "vuln.noticeRespond",
      params: {
        caseId,
        due: time(notice.respondBy),
        disclosure: spokenDuration(catalog, language, notice.discloseAfter),
      },
    }),
    notice.contact === undefined
      ? t({ key: "vuln.noticeNoContact" })
      : t({ key: "vuln.noticeContact", params: { contact: notice.contact } }),
  ]);
}

/** One line of `!dsx vulns`: notified / seen / answered, the text approved or not, what is next. */
export function caseLine(
  context: Pick<ChatContext, "text">,
  v: Vulnerability,
  next: PlannedJob | undefined,
): Rendered {
  return context.text({
    key: "vuln.line",
    params: {
      caseId: v.caseId,
      severity: v.severity,
      state: context.text({ key: `vulnState.${v.state}` }).plain,
      seen: context.text({ key: v.seenAt === null ? "vuln.notSeen" : "vuln.seen" }).plain,
      // Which texts still wait for the team's approval before step 3 can send them.
      review: context.text({
        key: v.reviewedAt === null ? "vuln.textNotApproved" : "vuln.textApproved",
      }).plain,
      next: next === undefined ? "—" : `${next.deadline} ${time(next.dueAt)}`,
    },
  });
}

/** A reporter's open case, as `status` lists it. */
export function statusLine(context: Pick<ChatContext, "text">, v: Vulnerability): Rendered {
  return context.text({
    key: "vuln.statusLine",
    params: { caseId: v.caseId, state: context.text({ key: `vulnState.${v.state}` }).plain },
  });
}
