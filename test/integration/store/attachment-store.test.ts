import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { DataSource } from "typeorm";
import { AttachmentStore } from "../../../src/store/attachment-store.js";
import { Attachment } from "../../../src/store/entities/index.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { transaction } from "../../../src/store/transaction.js";
import { databaseKinds, eachTestDatabase, type TestDatabase } from "../../support/databases.js";

const CANARY = "CANARY-5c1e-attachment-secret";

for (const kind of databaseKinds()) {
  describe(`attachment store on ${kind}`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let dataSource: DataSource;
    const store = new AttachmentStore(new FieldCipher(randomBytes(32)));

    eachTestDatabase(kind, (opened) => {
      ({ database, dataSource } = opened);
    });

    it("adopts drafts into a case (sealed anew) and discards a dropped draft", async () => {
      const [kept, dropped] = await transaction(dataSource, async (manager) => [
        await store.add(manager, "DRAFT-aa", {
          name: "a.txt",
          mimetype: "text/plain",
          bytes: Buffer.from(CANARY),
        }),
        await store.add(manager, "DRAFT-bb", {
          name: "b.txt",
          mimetype: "text/plain",
          bytes: Buffer.from("b"),
        }),
      ]);
      const draftRow = await dataSource.manager.findOneByOrFail(Attachment, { id: kept.id });
      await transaction(dataSource, async (manager) => {
        await store.adopt(manager, [kept.id, 9999], "INC-2026-0007");
        await store.discard(manager, "DRAFT-bb");
      });
      const listed = await store.list(dataSource.manager, "INC-2026-0007");
      expect(listed.map((f) => f.name)).to.deep.equal(["a.txt"]);
      const read = await store.read(dataSource.manager, listed[0]?.id ?? -1);
      expect(read?.bytes.toString()).to.equal(CANARY);
      expect(await dataSource.manager.countBy(Attachment, { caseId: "DRAFT-aa" })).to.equal(0);
      expect(await dataSource.manager.countBy(Attachment, { id: dropped.id })).to.equal(0);
      // A draft's sealed value does not open as the case's.
      await dataSource.manager.update(
        Attachment,
        { id: listed[0]?.id ?? -1 },
        { content: draftRow.content },
      );
      let refused = false;
      try {
        await store.read(dataSource.manager, listed[0]?.id ?? -1);
      } catch {
        refused = true;
      }
      expect(refused, "a draft's value moved to the case's row does not open").to.equal(true);
    });

    it("keeps files per case, lists names and sizes, reads them back and forgets a case", async () => {
      const first = randomBytes(70_000);
      const second = Buffer.from("plain text evidence\n");
      const other = randomBytes(10);
      const added = await transaction(dataSource, async (manager) => [
        await store.add(manager, "INC-2026-0001", {
          name: "headers.eml",
          mimetype: "message/rfc822",
          bytes: first,
        }),
        await store.add(manager, "INC-2026-0001", {
          name: "notes ñ.txt",
          mimetype: "text/plain",
          bytes: second,
        }),
        await store.add(manager, "INC-2026-0002", { name: "x", mimetype: "", bytes: other }),
      ]);
      const manager = dataSource.manager;
      expect(await store.list(manager, "INC-2026-0001")).to.deep.equal([
        { id: added[0]?.id, name: "headers.eml", size: 70_000 },
        { id: added[1]?.id, name: "notes ñ.txt", size: second.length },
      ]);
      const read = await store.read(manager, added[0]?.id ?? -1);
      expect(read?.caseId).to.equal("INC-2026-0001");
      expect(read?.name).to.equal("headers.eml");
      expect(read?.mimetype).to.equal("message/rfc822");
      expect(read?.size).to.equal(70_000);
      expect(read?.bytes.equals(first)).to.equal(true);
      expect(read?.createdAt)
        .to.be.a("number")
        .and.greaterThan(Date.now() - 60_000);

      const deleted = await transaction(dataSource, (m) => store.deleteCase(m, "INC-2026-0001"));
      expect(deleted).to.equal(2);
      expect(await store.list(manager, "INC-2026-0001")).to.deep.equal([]);
      expect(await store.read(manager, added[0]?.id ?? -1)).to.equal(undefined);
      const kept = await store.read(manager, added[2]?.id ?? -1);
      expect(kept?.bytes.equals(other)).to.equal(true);
    });

    it("refuses a sealed file moved to another row", async () => {
      const [a, b] = await transaction(dataSource, async (manager) => [
        await store.add(manager, "INC-2026-0004", {
          name: "a",
          mimetype: "t",
          bytes: randomBytes(9),
        }),
        await store.add(manager, "INC-2026-0005", {
          name: "b",
          mimetype: "t",
          bytes: randomBytes(9),
        }),
      ]);
      const rows = dataSource.getRepository(Attachment);
      const source = await rows.findOneByOrFail({ id: a.id });
      await rows.update({ id: b.id }, { content: source.content });
      let error: unknown;
      try {
        await store.read(dataSource.manager, b.id);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(Error);
    });

    if (kind === "sqlite") {
      it("leaves no trace of a file's contents or name in the database files", async () => {
        const caseId = "INC-2026-0777";
        const bytes = Buffer.concat([randomBytes(500), Buffer.from(CANARY), randomBytes(500)]);
        await transaction(dataSource, (manager) =>
          store.add(manager, caseId, { name: `${CANARY}.txt`, mimetype: "text/plain", bytes }),
        );
        const path = database.location.type === "sqlite" ? database.location.path : "";
        const files = async (): Promise<Buffer> =>
          Buffer.concat(
            await Promise.all(
              [path, `${path}-wal`].map((file) => readFile(file).catch(() => Buffer.alloc(0))),
            ),
          );
        const open = await files();
        // The case id is stored in the clear: finding it shows the bytes read are the data.
        expect(open.includes(caseId), "the scan sees the stored rows").to.equal(true);
        for (const trace of [
          CANARY,
          Buffer.from(CANARY).toString("base64"),
          bytes.toString("base64"),
        ]) {
          expect(open.includes(trace), trace.slice(0, 20)).to.equal(false);
        }
        await dataSource.destroy();
        const closed = await files();
        expect(closed.includes(caseId)).to.equal(true);
        expect(closed.includes(CANARY)).to.equal(false);
      });
    }
  });
}
