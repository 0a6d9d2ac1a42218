import type { ChatModule } from "../../chat/router.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { ScheduledTask } from "../../schedule/scheduler.js";
import { AdvisoryVotes } from "./advisory-votes.js";
import { AffectedPartyAnswers } from "./answers.js";
import {
  openVulnerability,
  vulnerabilityCommands,
  type VulnerabilityExecutors,
} from "./commands.js";
import { DsxChecks } from "./dsx-checks.js";
import { vulnerabilityIntake } from "./intake.js";
import { vulnerabilityTasks } from "./jobs.js";
import { statusLine } from "./messages.js";
import { NoticeReceipts } from "./read-receipts.js";
import { VulnerabilityServices, type VulnerabilitiesOptions } from "./services.js";
import { TriageCommands } from "./triage-commands.js";

export type { VulnerabilitiesOptions } from "./services.js";

/**
 * The Vulnerability Disclosure Policy: a report goes at once to the affected party (step 1),
 * who answers `ack`, `fixed` or `need-time`; without an answer the DSX team is asked to
 * escalate (step 2); without a solution it is disclosed to stakeholders (step 3), publicly only
 * with the advisory committee's quorum. Every deadline and reminder is a durable job. This wires
 * its parts together; `commands.ts` lists its commands and `jobs.ts` its durable tasks.
 */
export class Vulnerabilities {
  private readonly s: VulnerabilityServices;
  private readonly receipts: NoticeReceipts;
  private readonly executors: VulnerabilityExecutors;

  constructor(private readonly o: VulnerabilitiesOptions) {
    this.s = new VulnerabilityServices(o);
    this.receipts = new NoticeReceipts({
      ...o,
      seen: (manager, caseId) =>
        this.s.tellTriage(manager, "GREEN", "seen", { key: "vuln.seenTriage", params: { caseId } }),
    });
    this.executors = {
      answers: new AffectedPartyAnswers(this.s),
      team: new TriageCommands(this.s),
      checks: new DsxChecks(this.s),
      votes: new AdvisoryVotes(this.s),
    };
  }

  chatModule(): ChatModule {
    const intake = vulnerabilityIntake((context, report) =>
      openVulnerability(this.s, context, report),
    );
    return {
      dialogues: [intake],
      commands: vulnerabilityCommands(this.s, this.executors, intake),
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
            text: statusLine(context, v),
          }));
        },
      },
    };
  }

  tasks(): ScheduledTask[] {
    return vulnerabilityTasks(this.s);
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
}
