import { expect } from "chai";
import type { DataSource } from "typeorm";
import { Catalog } from "../../../src/chat/catalog.js";
import { countMonth } from "../../../src/cases/statistics/statistics-store.js";
import { Statistics } from "../../../src/cases/statistics/statistics.js";
import { Alert, Incident } from "../../../src/store/entities/index.js";
import { FakeChat } from "../../support/chat/fake-context.js";
import { databaseKinds, eachTestDatabase } from "../../support/databases.js";

for (const kind of databaseKinds()) {
  describe(`donor statistics on ${kind}`, function () {
    this.timeout(60_000);
    let dataSource: DataSource;

    eachTestDatabase(kind, (opened) => {
      ({ dataSource } = opened);
    });

    const statistics = new Statistics({
      catalog: Catalog.load(),
      minimumCount: () => 3,
      donorsRoomId: () => undefined,
      donorsLanguage: () => "en",
      say: () => Promise.resolve(),
      jobs: () => ({ schedule: () => Promise.resolve(0) }),
    });

    /** An incident opened in `month`; `hours` to match and (when closed) to close. */
    async function incident(
      caseId: string,
      type: string,
      month: string,
      open: boolean,
      hours: { match?: number; close?: number } = {},
    ) {
      const createdAt = Date.parse(`${month}-03T10:00:00Z`);
      await dataSource.manager.insert(Incident, {
        caseId,
        type,
        state: open ? "new" : "closed",
        openedMonth: month,
        closedMonth: open ? null : month,
        urgency: null,
        label: null,
        language: null,
        region: null,
        reporterId: open ? "@maria:example.org" : null,
        partnerOrg: open ? "rights-collective" : null,
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
        matchedAt: open && hours.match !== undefined ? createdAt + hours.match * 3_600_000 : null,
        hoursToMatch: !open && hours.match !== undefined ? hours.match : null,
        hoursToClose: !open ? (hours.close ?? 1) : null,
        createdAt,
        updatedAt: createdAt,
      });
    }

    it("counts a month's incidents by type, hides small counts and those they could be computed from, names nobody", async () => {
      let n = 0;
      const next = () => `INC-2026-${String(++n).padStart(4, "0")}`;
      await incident(next(), "malware", "2026-11", true);
      await incident(next(), "malware", "2026-11", false, { match: 2, close: 30 });
      // Phishing: matched after 1, 3, 5 and 7 hours (one never), closed after 10, 20 and 90.
      await incident(next(), "phishing", "2026-11", true, { match: 1 });
      await incident(next(), "phishing", "2026-11", false, { match: 3, close: 10 });
      await incident(next(), "phishing", "2026-11", true, { match: 5 });
      await incident(next(), "phishing", "2026-11", false, { match: 7, close: 90 });
      await incident(next(), "phishing", "2026-11", true);
      // Three data leaks, neither matched nor closed: shown alone, they would give away the
      // malware count (10 - 5 - 3), so they are hidden with it.
      for (let i = 0; i < 3; i++) await incident(next(), "data-leak", "2026-11", true);
      await incident("INC-2026-0099", "phishing", "2026-10", false, { match: 100, close: 200 });
      await dataSource.manager.insert(Alert, {
        caseId: "ALR-2026-0001",
        kind: "community",
        label: "GREEN",
        state: "posted",
        postedMonth: "2026-11",
        createdAt: Date.now(),
        updatedAt: Date.now(),
      });
      const counts = await countMonth(dataSource.manager, "2026-11");
      expect([...counts.incidentsByType].sort()).to.deep.equal([
        ["data-leak", 3],
        ["malware", 2],
        ["phishing", 5],
      ]);
      const chat = new FakeChat();
      const text = statistics.text(
        chat.context("@donor:example.org", "", "donors"),
        "2026-11",
        counts,
      ).plain;
      expect(text).to.contain(
        "Incidents opened: 10 (Data leak: hidden, Malware: hidden, Phishing: 5)",
      );
      // Matched: 2, 1, 3, 5, 7 → median 3; closed: 30, 10, 90 → median 30.
      expect(text).to.contain("Time to match (median): 3 h");
      expect(text).to.contain("Time to close (median): 30 h");
      expect(text).to.contain("Vulnerability cases: fewer than 3 (none)");
      expect(text).to.contain("Community alerts sent: fewer than 3");
      const csv = statistics.csv("2026-11", counts);
      expect(csv.split("\n")).to.deep.equal([
        "month,measure,category,value",
        "2026-11,incidents,data-leak,hidden",
        "2026-11,incidents,malware,hidden",
        "2026-11,incidents,phishing,5",
        "2026-11,median-hours-to-match,,3",
        "2026-11,median-hours-to-close,,30",
        "2026-11,alerts,,<3",
      ]);
      for (const secret of ["INC-", "ALR-", "maria", "rights-collective", "@"]) {
        expect(text, secret).to.not.contain(secret);
        expect(csv, secret).to.not.contain(secret);
      }
    });

    it("hides a median of fewer cases than the minimum", async () => {
      await incident("INC-2026-0001", "malware", "2026-11", false, { match: 4, close: 8 });
      const chat = new FakeChat();
      const text = statistics.text(
        chat.context("@donor:example.org", "", "donors"),
        "2026-11",
        await countMonth(dataSource.manager, "2026-11"),
      ).plain;
      expect(text).to.contain("Time to match (median): not shown (fewer than 3 cases)");
      expect(text).not.to.contain("4 h");
    });
  });
}
