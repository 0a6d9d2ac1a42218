import { spokenDuration } from "../../chat/spoken-duration.js";
import type { ChatContext } from "../../chat/context.js";
import type { Command } from "../../chat/command.js";
import { startDialogue } from "../../chat/dialogue.js";
import type { ChatModule } from "../../chat/router.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import { Vulnerability } from "../../store/entities/vulnerability.js";
import { AdvisoryVotes } from "./advisory-votes.js";
import { AffectedPartyAnswers } from "./answers.js";
import { DisclosureJobs } from "./deadlines.js";
import { DsxChecks } from "./dsx-checks.js";
import {
  affectedName,
  isOutsideDirectory,
  vulnerabilityIntake,
  type VulnerabilityReport,
} from "./intake.js";
import { NoticeReceipts } from "./read-receipts.js";
import { deadlinesFrom } from "./schedule.js";
import { NOTIFY_JOB, VulnerabilityServices, type VulnerabilitiesOptions } from "./services.js";
import { time } from "./state.js";
import { TriageCommands } from "./triage-commands.js";
import type { VulnerabilityStore } from "./vulnerability-store.js";

export type { VulnerabilitiesOptions } from "./services.js";

/**
 * The Vulnerability Disclosure Policy: a report goes at once to the affected party (step 1),
 * who answers `ack`, `fixed` or `need-time`; without an answer the DSX team is asked to
 * escalate (step 2); without a solution it is disclosed to stakeholders (step 3), publicly only
 * with the advisory committee's quorum. Every deadline and reminder is a durable job.
 */
export class Vulnerabilities {
  private readonly s: VulnerabilityServices;
  private readonly receipts: NoticeReceipts;
  private readonly jobs: DisclosureJobs;
  private readonly answers: AffectedPartyAnswers;
  private readonly team: TriageCommands;
  private readonly votes: AdvisoryVotes;
  private readonly checks: DsxChecks;

  constructor(private readonly o: VulnerabilitiesOptions) {
    this.s = new VulnerabilityServices(o);
    this.receipts = new NoticeReceipts({
      ...o,
      seen: (manager, caseId) =>
        this.s.tellTriage(manager, "GREEN", "seen", { key: "vuln.seenTriage", params: { caseId } }),
    });
    this.jobs = new DisclosureJobs(this.s);
    this.answers = new AffectedPartyAnswers(this.s);
    this.team = new TriageCommands(this.s);
    this.votes = new AdvisoryVotes(this.s);
    this.checks = new DsxChecks(this.s);
  }

  chatModule(): ChatModule {
    const intake = vulnerabilityIntake((context, report) => this.opened(context, report));
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
    return {
      dialogues: [intake],
      commands: [
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
              this.o.policy().discloseAfter,
            );
            context.reply({
              label: "WHITE",
              text: context.text({ key: "vuln.start", params: { disclosure } }),
            });
            await startDialogue(context, intake);
          },
        },
        answer("ack", "vuln.commandAck", (c, rest) => this.answers.answer(c, rest, "ack")),
        answer("fixed", "vuln.commandFixed", (c, rest) => this.answers.answer(c, rest, "fixed")),
        answer("need-time", "vuln.commandNeedTime", (c, rest) =>
          this.answers.answer(c, rest, "need-time"),
        ),
        triage(["vulns"], "vuln.commandVulns", (c) => this.team.list(c)),
        triage(["vuln"], "vuln.commandVuln", (c, rest) => this.team.show(c, rest)),
        triage(["escalate"], "vuln.commandEscalate", (c, rest) => this.team.escalate(c, rest)),
        triage(["extend"], "vuln.commandExtend", (c, rest) => this.team.extend(c, rest)),
        triage(["expedite"], "vuln.commandExpedite", (c, rest) =>
          this.team.expedite(c, rest, true),
        ),
        triage(["disclose"], "vuln.commandDisclose", (c, rest) =>
          this.team.expedite(c, rest, false),
        ),
        triage(["approve"], "vuln.commandApproveText", (c, rest) => this.checks.approve(c, rest)),
        triage(["confirm"], "vuln.commandConfirm", (c, rest) => this.checks.confirm(c, rest)),
        advisory("approve", "vuln.commandApprove", (c, rest) =>
          this.votes.vote(c, rest, "approve"),
        ),
        advisory("object", "vuln.commandObject", (c, rest) => this.votes.vote(c, rest, "object")),
      ],
      openCases: {
        openCasesOf: async (context) => {
          const mine = (await this.o.store.all(context.manager)).filter(
            (v) =>
              v.state !== "published" &&
              this.o.store.open(v, "reporter") === context.inbound.sender,
          );
          return mine.map((v) => ({
            label: "WHITE",
            caseId: v.caseId,
            text: context.text({
              key: "vuln.statusLine",
              params: {
                caseId: v.caseId,
                state: context.text({ key: `vulnState.${v.state}` }).plain,
              },
            }),
          }));
        },
      },
    };
  }

  tasks(): ScheduledTask[] {
    return this.jobs.tasks();
  }

  /** Exchanges of `VUL-…` cases: the affected party's contacts and organisation, and DSX. */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const v = await this.o.store.get(this.o.dataSource.manager, caseId);
        if (!v) return undefined;
        const organisations = [v.affectedOrg, this.o.directory().dsx.id].filter(
          (o): o is string => o !== null,
        );
        return {
          participants: new Set([
            ...this.o.store.contacts(v).map((c) => c.userId),
            this.o.client.getSafeUserId(),
          ]),
          organisations: new Set(organisations),
        };
      },
    };
  }

  /**
   * Read receipts mark a notice seen: watched live, and checked once at start. `afterSeen` sends
   * what a notice read queued (the triage room's message).
   */
  watchReceipts(afterSeen: () => void): void {
    this.receipts.watch(afterSeen);
  }

  checkAllSeen(): Promise<void> {
    return this.receipts.checkAll();
  }

  private async opened(context: ChatContext, report: VulnerabilityReport): Promise<void> {
    const { manager, inbound, directory } = context;
    const now = Date.now();
    const caseId = await nextCaseId(manager, "VUL", new Date(now));
    const contacts =
      "user" in report.affected
        ? [directory.resolveUser(report.affected.user)]
        : (directory.organisation(report.affected.org)?.members ?? []);
    // Anyone can type a user ID: the bot writes to a stranger only once the DSX team confirms.
    const unconfirmed = isOutsideDirectory(directory, report.affected);
    const policy = this.o.policy();
    const deadlines = deadlinesFrom(now, policy);
    const seal = (column: Parameters<VulnerabilityStore["seal"]>[1], value: string) =>
      this.o.store.seal(caseId, column, value);
    const v = manager.create(Vulnerability, {
      caseId,
      state: unconfirmed ? "unconfirmed" : "notified",
      severity: report.severity,
      affectedOrg: "org" in report.affected ? report.affected.org : null,
      contacts: JSON.stringify(contacts.map((userId) => ({ userId, roomId: null }))),
      reporter: seal("reporter", inbound.sender),
      reporterRoom: seal("reporterRoom", inbound.roomId),
      credit: report.credit === undefined ? null : seal("credit", report.credit),
      shareContact: report.shareContact,
      description: seal("description", report.description),
      evidence: seal("evidence", report.evidence),
      language: context.language,
      notifiedAt: now,
      seenAt: null,
      answeredAt: null,
      ...deadlines,
      reviewedAt: null,
      approvals: "[]",
      objections: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.save(v);
    if (!unconfirmed)
      await this.o.jobs().schedule(manager, { kind: NOTIFY_JOB, dueAt: now, caseId });
    await this.s.replan(manager, v);
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
    await this.s.tellTriage(manager, "AMBER", "notice", {
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
      await this.s.tellTriage(manager, "AMBER", "confirmation-request", {
        key: "vuln.confirmRequest",
        params: { caseId, contact: contacts[0] ?? "" },
      });
    await this.s.askReview(manager, v, { key: "vuln.reviewRequest", params: { caseId } });
  }
}
