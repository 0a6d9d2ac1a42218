import { expect } from "chai";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../../src/store/data-source.js";
import { OutgoingMessage } from "../../../src/store/entities/outgoing-message.js";
import { CorruptStoredValue } from "../../../src/store/stored-json.js";

describe("store/columns: a TLP label column", () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = (await openDatabase({ type: "sqlite", path: ":memory:" })).dataSource;
  });
  afterEach(() => dataSource.destroy());

  const row = (label: string) => ({
    txnId: `dsx-${label}`,
    roomId: "!room",
    label,
    caseId: null,
    requester: null,
    content: null,
    state: "pending",
    eventId: null,
    reason: null,
    attempts: 0,
    createdAt: 0,
    updatedAt: 0,
  });

  it("reads back the label it stored", async () => {
    await dataSource.getRepository(OutgoingMessage).insert(row("AMBER+STRICT") as never);
    const [read] = await dataSource.getRepository(OutgoingMessage).find();
    expect(read?.label).to.equal("AMBER+STRICT");
  });

  it("refuses a label that is none, instead of reading it as some other", async () => {
    // Written past the entity, as a damaged row or a hand edit would be.
    await dataSource.query(
      `INSERT INTO outgoing_message ("txnId", "roomId", label, state, attempts, "createdAt", "updatedAt")
       VALUES ('dsx-x', '!room', 'amber', 'pending', 0, 0, 0)`,
    );
    let error: unknown;
    await dataSource
      .getRepository(OutgoingMessage)
      .find()
      .catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(CorruptStoredValue);
    expect(String(error)).to.contain("a stored TLP label");
  });
});
