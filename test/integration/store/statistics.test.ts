import { expect } from "chai";
import type { DataSource } from "typeorm";
import { countMonth, statisticsText } from "../../../src/cases/statistics/statistics.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { Incident } from "../../../src/store/entities/index.js";
import { FakeChat } from "../../support/chat/fake-context.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

for (const kind of databaseKinds()) {
  describe(`donor statistics on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let dataSource: DataSource;

    beforeEach(async () => {
      database = await createTestDatabase(kind);
      dataSource = (await openDatabase(database.location)).dataSource;
    });
    afterEach(async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    });

    async function incident(caseId: string, type: string, month: string, open: boolean) {
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
        createdAt: Date.now(),
        updatedAt: Date.now(),
      });
    }

    it("counts a month's incidents by type, hides counts below the minimum, names nobody", async () => {
      let n = 0;
      for (let i = 0; i < 2; i++)
        await incident(`INC-2026-${String(++n).padStart(4, "0")}`, "malware", "2026-11", i === 0);
      for (let i = 0; i < 5; i++)
        await incident(
          `INC-2026-${String(++n).padStart(4, "0")}`,
          "phishing",
          "2026-11",
          i % 2 === 0,
        );
      await incident("INC-2026-0099", "phishing", "2026-10", false);
      const counts = await countMonth(dataSource.manager, "2026-11");
      expect([...counts.incidentsByType].sort()).to.deep.equal([
        ["malware", 2],
        ["phishing", 5],
      ]);
      const chat = new FakeChat();
      const text = statisticsText(
        chat.context("@donor:example.org", "", "donors"),
        "2026-11",
        counts,
        3,
      ).plain;
      expect(text).to.contain("Incidents opened: 7 (Malware: fewer than 3, Phishing: 5)");
      expect(text).to.contain("Vulnerability cases: fewer than 3 (none)");
      for (const secret of ["INC-", "maria", "rights-collective", "@"])
        expect(text, secret).to.not.contain(secret);
    });
  });
}
