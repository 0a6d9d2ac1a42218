import { expect } from "chai";
import type { DataSource } from "typeorm";
import { readStoredCounts } from "../../../src/ops/stored-counts.js";
import {
  ConductReport,
  Incident,
  ScheduledJob,
  UndecryptableEvent,
  Vulnerability,
  type Vulnerability as VulnerabilityRow,
} from "../../../src/store/entities/index.js";
import { databaseKinds, eachTestDatabase } from "../../support/databases.js";

for (const kind of databaseKinds()) {
  describe(`the counts /metrics reads from the database, on ${kind}`, function () {
    this.timeout(60_000);
    let dataSource: DataSource;
    const now = 1_800_000_000_000;

    eachTestDatabase(kind, (opened) => {
      ({ dataSource } = opened);
    });

    async function incident(n: number, state: Incident["state"]): Promise<void> {
      await dataSource.manager.insert(Incident, {
        caseId: `INC-2026-000${n}`,
        type: "phishing",
        state,
        openedMonth: "2026-11",
        closedMonth: state === "closed" ? "2026-11" : null,
        urgency: null,
        label: null,
        language: null,
        region: null,
        reporterId: null,
        partnerOrg: null,
        providerOrg: null,
        reporterRoomId: null,
        ticketRoomId: null,
        participants: null,
        consent: null,
        description: null,
        measures: null,
        offeredTo: null,
        declinedBy: null,
        summaryPosted: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    async function vulnerability(n: number, state: VulnerabilityRow["state"]): Promise<void> {
      await dataSource.manager.insert(Vulnerability, {
        caseId: `VUL-2026-000${n}`,
        state,
        severity: "high",
        affectedOrg: null,
        contacts: "[]",
        reporter: "sealed",
        reporterRoom: "sealed",
        credit: null,
        shareContact: false,
        description: "sealed",
        evidence: "sealed",
        language: "en",
        notifiedAt: now,
        seenAt: null,
        answeredAt: null,
        respondBy: now,
        escalateAt: null,
        discloseAt: now,
        approvals: "[]",
        objections: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    async function conduct(n: number, state: "open" | "closed"): Promise<void> {
      await dataSource.manager.insert(ConductReport, {
        caseId: `COC-2026-000${n}`,
        state,
        openedMonth: "2026-11",
        closedMonth: null,
        outcome: null,
        namedHash: null,
        anonymous: null,
        details: null,
        handlers: null,
        roomId: null,
        notes: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    async function job(dueAt: number, firedAt: number | null): Promise<void> {
      await dataSource.manager.insert(ScheduledJob, {
        kind: "disclosure.deadline",
        dueAt,
        caseId: null,
        payload: "{}",
        firedAt,
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    }

    it("is all zero for an empty database", async () => {
      expect(await readStoredCounts(dataSource, now)).to.deep.equal({
        openCases: { incident: 0, vulnerability: 0, conduct: 0 },
        scheduleLagSeconds: 0,
        undecryptableWaiting: 0,
      });
    });

    it("counts open cases by kind, the oldest due job's lateness and the undecryptable events", async () => {
      await incident(1, "new");
      await incident(2, "in-progress");
      await incident(3, "closed");
      await vulnerability(1, "notified");
      await vulnerability(2, "escalated");
      await vulnerability(3, "disclosed");
      await vulnerability(4, "published");
      await conduct(1, "open");
      await conduct(2, "closed");
      await job(now - 90_000, now - 80_000); // fired long ago: not late
      await job(now - 2_500, null); // due 2.5 s ago, not fired: the lag
      await job(now - 1_000, null);
      await job(now + 60_000, null); // not due yet
      await dataSource.manager.insert(UndecryptableEvent, {
        eventId: "$e1",
        roomId: "!r:example.org",
        sender: "@maria:example.org",
        event: "sealed",
        firstSeenAt: now,
        attempts: 0,
        resendAskedAt: null,
      });
      expect(await readStoredCounts(dataSource, now)).to.deep.equal({
        openCases: { incident: 2, vulnerability: 2, conduct: 1 },
        scheduleLagSeconds: 2.5,
        undecryptableWaiting: 1,
      });
    });
  });
}
