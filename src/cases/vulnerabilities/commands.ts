import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { startDialogue, type Dialogue } from "../../chat/dialogue.js";
import { spokenDuration } from "../../chat/spoken-duration.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import type { AdvisoryVotes } from "./advisory-votes.js";
import type { AffectedPartyAnswers } from "./answers.js";
import type { DsxChecks } from "./dsx-checks.js";
import { affectedName, isOutsideDirectory, type VulnerabilityReport } from "./intake.js";
import { replan, scheduleNotice } from "./jobs.js";
import { time } from "./messages.js";
import { deadlinesFrom } from "./rules.js";
import type { VulnerabilityServices } from "./services.js";
import type { TriageCommands } from "./triage-commands.js";

/** What the commands of the disclosure workflow run. */
export interface VulnerabilityExecutors {
  readonly answers: Pick<AffectedPartyAnswers, "answer">;
  readonly team: Pick<TriageCommands, "list" | "show" | "escalate" | "extend" | "expedite">;
  readonly checks: Pick<DsxChecks, "approve" | "confirm">;
  readonly votes: Pick<AdvisoryVotes, "vote">;
}

/**
 * The workflow's command table: `report vulnerability` in a direct room starts the intake; the
 * affected party answers there; the DSX team follows the cases in triage, and the advisory
 * committee votes on going public in its room.
 */
export function vulnerabilityCommands(
  s: VulnerabilityServices,
  { answers, team, checks, votes }: VulnerabilityExecutors,
  intake: Dialogue,
): Command[] {
  const dsx = (context: ChatContext) => context.directory.isDsxTeam(context.inbound.sender);
  const triage = (words: string[], summary: string, run: Command["run"]): Command => ({
    words,
    rooms: ["triage"],
    summary,
    allowed: dsx,
    run,
  });
  const advisory = (word: string, summary: string, run: Command["run"]): Command => ({
    words: [word],
    rooms: ["advisory"],
    summary,
    allowed: (context) => context.directory.isAdvisoryCommittee(context.inbound.sender),
    run,
  });
  const answer = (word: string, summary: string, run: Command["run"]): Command => ({
    words: [word],
    rooms: ["direct"],
    summary,
    parties: { direct: ["partner"] },
    run,
  });
  return [
    {
      words: ["report", "vulnerability"],
      rooms: ["direct"],
      summary: "vuln.command",
      opens: "vulnerability",
      allowed: (context) => context.directory.isKnown(context.inbound.sender),
      run: async (context) => {
        const disclosure = spokenDuration(
          context.catalog,
          context.language,
          s.o.policy().discloseAfter,
        );
        context.reply({
          label: "WHITE",
          text: context.text({ key: "vuln.start", params: { disclosure } }),
        });
        await startDialogue(context, intake);
      },
    },
    answer("ack", "vuln.commandAck", (c, rest) => answers.answer(c, rest, "ack")),
    answer("fixed", "vuln.commandFixed", (c, rest) => answers.answer(c, rest, "fixed")),
    answer("need-time", "vuln.commandNeedTime", (c, rest) => answers.answer(c, rest, "need-time")),
    triage(["vulns"], "vuln.commandVulns", (c) => team.list(c)),
    triage(["vuln"], "vuln.commandVuln", (c, rest) => team.show(c, rest)),
    triage(["escalate"], "vuln.commandEscalate", (c, rest) => team.escalate(c, rest)),
    triage(["extend"], "vuln.commandExtend", (c, rest) => team.extend(c, rest)),
    triage(["expedite"], "vuln.commandExpedite", (c, rest) => team.expedite(c, rest, true)),
    triage(["disclose"], "vuln.commandDisclose", (c, rest) => team.expedite(c, rest, false)),
    triage(["approve"], "vuln.commandApproveText", (c, rest) => checks.approve(c, rest)),
    triage(["confirm"], "vuln.commandConfirm", (c, rest) => checks.confirm(c, rest)),
    advisory("approve", "vuln.commandApprove", (c, rest) => votes.vote(c, rest, "approve")),
    advisory("object", "vuln.commandObject", (c, rest) => votes.vote(c, rest, "object")),
  ];
}

/**
 * A confirmed report: stored sealed with its schedule, the notice sent at once (or, to a
 * contact outside the directory, once the DSX team confirms them), triage told and asked to
 * review the disclosure text.
 */
export async function openVulnerability(
  s: VulnerabilityServices,
  context: ChatContext,
  report: VulnerabilityReport,
): Promise<void> {
  const { manager, inbound, directory } = context;
  const now = Date.now();
  const caseId = await nextCaseId(manager, "VUL", new Date(now));
  const contacts =
    "user" in report.affected
      ? [directory.resolveUser(report.affected.user)]
      : (directory.organisation(report.affected.org)?.members ?? []);
  // Anyone can type a user ID: the bot writes to a stranger only once the DSX team confirms.
  const unconfirmed = isOutsideDirectory(directory, report.affected);
  const deadlines = deadlinesFrom(now, s.o.policy());
  const v = await s.o.store.create(manager, {
    caseId,
    state: unconfirmed ? "unconfirmed" : "notified",
    severity: report.severity,
    affectedOrg: "org" in report.affected ? report.affected.org : null,
    contacts,
    reporter: inbound.sender,
    reporterRoom: inbound.roomId,
    credit: report.credit,
    shareContact: report.shareContact,
    description: report.description,
    evidence: report.evidence,
    language: context.language,
    deadlines,
    at: now,
  });
  if (!unconfirmed) await scheduleNotice(s, manager, caseId, now);
  await replan(s, manager, v);
  // An anonymous reporter is not named even in the audit log.
  await audit(manager, {
    actor: report.credit === undefined ? null : inbound.sender,
    action: "vulnerability.reported",
    caseId,
  });
  context.reply({
    label: "WHITE",
    caseId,
    step: "received",
    text: context.text({
      key: unconfirmed ? "vuln.receivedUnconfirmed" : "vuln.received",
      params: { caseId },
    }),
  });
  await s.tellTriage(manager, "AMBER", "notice", {
    key: "vuln.triageNew",
    params: {
      caseId,
      affected: affectedName(context, report.affected),
      severity: report.severity,
      description: report.description,
      due: time(deadlines.discloseAt),
    },
  });
  if (unconfirmed)
    await s.tellTriage(manager, "AMBER", "confirmation-request", {
      key: "vuln.confirmRequest",
      params: { caseId, contact: contacts[0] ?? "" },
    });
  await s.askReview(manager, v, { key: "vuln.reviewRequest", params: { caseId } });
}
