import { expect } from "chai";
import { randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { openBackup, sealBackup } from "../../../src/backup/backup-file.js";
import {
  isDatabaseEmpty,
  restoreDatabase,
  snapshotDatabase,
} from "../../../src/backup/database-snapshot.js";
import { AttachmentStore } from "../../../src/store/attachment-store.js";
import { openDatabase } from "../../../src/store/data-source.js";
import {
  Attachment,
  ConductReport,
  Incident,
  ScheduledJob,
} from "../../../src/store/entities/index.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { rotateDataKey } from "../../../src/store/key-rotation.js";
import { SEALED_COLUMNS } from "../../../src/store/sealed-columns.js";
import { createTestDatabase, databaseKinds, type TestDatabase } from "../../support/databases.js";

const CASE = "INC-2026-0007";

/** A database with an open incident, a file, a scheduled job and a harassment report. */
async function seed(dataSource: DataSource, cipher: FieldCipher): Promise<void> {
  const now = Date.now();
  await dataSource.manager.insert(Incident, {
    caseId: CASE,
    type: "phishing",
    state: "in-progress",
    openedMonth: "2026-12",
    closedMonth: null,
    hoursToMatch: null,
    hoursToClose: null,
    matchedAt: now,
    urgency: "high",
    label: "AMBER",
    language: "en",
    region: null,
    reporterId: "@maria:example.org",
    partnerOrg: "rights-collective",
    providerOrg: "securelab",
    reporterRoomId: "!dm:example.org",
    ticketRoomId: "!ticket:example.org",
    participants: JSON.stringify(["@maria:example.org"]),
    consent: true,
    description: cipher.encrypt("Lemur-canary description", `incident.description:${CASE}`),
    measures: cipher.encrypt("Lemur-canary measures", `incident.measures:${CASE}`),
    offeredTo: null,
    declinedBy: null,
    summaryPosted: true,
    createdAt: now,
    updatedAt: now,
  });
  await dataSource.transaction((manager) =>
    new AttachmentStore(cipher).add(manager, CASE, {
      name: "Lemur-canary.txt",
      mimetype: "text/plain",
      bytes: Buffer.from("Lemur-canary file"),
    }),
  );
  await dataSource.manager.insert(ScheduledJob, {
    kind: "incident.offer-lapse",
    dueAt: now + 3_600_000,
    caseId: CASE,
    payload: "{}",
    firedAt: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  });
  await dataSource.manager.insert(ConductReport, {
    caseId: "COC-2026-0001",
    state: "open",
    openedMonth: "2026-12",
    closedMonth: null,
    outcome: null,
    namedHash: cipher.hash("@troll:example.org", "conduct.named"),
    anonymous: false,
    details: cipher.encrypt(
      // As the reporter typed it: the hash is of the person, as the server compares IDs.
      JSON.stringify({ who: "@Troll:example.org", what: "Lemur-canary insults" }),
      "conduct_report.details:COC-2026-0001",
    ),
    handlers: cipher.encrypt("[]", "conduct_report.handlers:COC-2026-0001"),
    roomId: null,
    notes: null,
    createdAt: now,
    updatedAt: now,
  });
}

for (const from of databaseKinds()) {
  for (const to of databaseKinds()) {
    describe(`backup of ${from} restored into ${to}`, function () {
      this.timeout(60_000);
      const opened: { database: TestDatabase; dataSource: DataSource }[] = [];
      const open = async (kind: "sqlite" | "postgres") => {
        const database = await createTestDatabase(kind);
        const { dataSource } = await openDatabase(database.location);
        opened.push({ database, dataSource });
        return dataSource;
      };
      afterEach(async () => {
        for (const { database, dataSource } of opened.splice(0)) {
          if (dataSource.isInitialized) await dataSource.destroy();
          await database.drop();
        }
      });

      it("brings back every row as it was, sealed values still sealed, ids continuing", async () => {
        const key = randomBytes(32);
        const cipher = new FieldCipher(key);
        const source = await open(from);
        await seed(source, cipher);
        const snapshot = await snapshotDatabase(source);
        const sealed = sealBackup(
          { format: 1, createdAt: Date.now(), ...snapshot, files: {} },
          key,
        );
        expect(sealed.includes(Buffer.from("Lemur"))).to.equal(false);
        const contents = openBackup(sealed, key);

        const target = await open(to);
        expect(await isDatabaseEmpty(target)).to.equal(true);
        await restoreDatabase(target, contents);
        expect(await isDatabaseEmpty(target)).to.equal(false);
        const again = await snapshotDatabase(target);
        expect(again.tables).to.deep.equal(snapshot.tables);
        const incident = await target.manager.findOneByOrFail(Incident, { caseId: CASE });
        expect(cipher.decrypt(incident.description ?? "", `incident.description:${CASE}`)).to.equal(
          "Lemur-canary description",
        );
        const files = await new AttachmentStore(cipher).list(target.manager, CASE);
        expect(files.map((f) => f.name)).to.deep.equal(["Lemur-canary.txt"]);
        // New rows get ids after the restored ones (PostgreSQL's sequences moved on).
        const next = await target.manager.save(
          target.manager.create(ScheduledJob, {
            kind: "x",
            dueAt: 1,
            caseId: null,
            payload: "{}",
            firedAt: null,
            attempts: 0,
          }),
        );
        const restoredIds = (await target.manager.find(ScheduledJob)).map((j) => j.id);
        expect(next.id).to.equal(Math.max(...restoredIds));
        expect(restoredIds.filter((id) => id === next.id)).to.have.length(1);
      });
    });
  }
}

for (const kind of databaseKinds()) {
  describe(`data key rotation on ${kind}`, function () {
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

    /** Every sealed value in the database, opened with a cipher (throws if one does not open). */
    const openAll = async (cipher: FieldCipher) => {
      const values: string[] = [];
      for (const sealed of SEALED_COLUMNS)
        for (const row of (await dataSource.manager.find(sealed.entity)) as Record<
          string,
          unknown
        >[]) {
          const value = row[sealed.column];
          if (typeof value === "string") values.push(cipher.decrypt(value, sealed.context(row)));
        }
      return values.sort();
    };

    it("re-seals every sealed value under the new key, redoes keyed hashes, and can be run again", async () => {
      const old = new FieldCipher(randomBytes(32));
      const next = new FieldCipher(randomBytes(32));
      await seed(dataSource, old);
      const plain = await openAll(old);
      expect(plain.length).to.be.at.least(7);
      const count = await rotateDataKey(dataSource, old, next);
      expect(count).to.deep.equal({ resealed: plain.length, alreadyNew: 0, rehashed: 1 });
      expect(await openAll(next)).to.deep.equal(plain);
      let oldOpens = true;
      try {
        await openAll(old);
      } catch {
        oldOpens = false;
      }
      expect(oldOpens, "the old key opens nothing any more").to.equal(false);
      const report = await dataSource.manager.findOneByOrFail(ConductReport, {
        caseId: "COC-2026-0001",
      });
      expect(report.namedHash).to.equal(next.hash("@troll:example.org", "conduct.named"));
      expect(await rotateDataKey(dataSource, old, next)).to.deep.equal({
        resealed: 0,
        alreadyNew: plain.length,
        rehashed: 1,
      });
    });

    it("changes nothing when a value opens with neither key", async () => {
      const old = new FieldCipher(randomBytes(32));
      await seed(dataSource, old);
      await dataSource.manager.update(
        Attachment,
        { caseId: CASE },
        { name: new FieldCipher(randomBytes(32)).encrypt("x", "elsewhere") },
      );
      const before = await snapshotDatabase(dataSource);
      let failed = false;
      try {
        await rotateDataKey(dataSource, old, new FieldCipher(randomBytes(32)));
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect((await snapshotDatabase(dataSource)).tables).to.deep.equal(before.tables);
    });
  });
}
