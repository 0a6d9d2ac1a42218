import { expect } from "chai";
import { randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { verbatim } from "../../../src/chat/render.js";
import { Outbox } from "../../../src/matrix/outbox.js";
import type { Exchange } from "../../../src/policy/audience.js";
import type { TlpLabel } from "../../../src/policy/tlp.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { AuditEntry } from "../../../src/store/entities/audit-entry.js";
import { OutgoingMessage } from "../../../src/store/entities/outgoing-message.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { BOT, FakeClient, MARIA, testOutbox } from "../../support/matrix/fake-outbox-client.js";

describe("matrix/outbox", () => {
  let dataSource: DataSource;
  let client: FakeClient;
  let exchanges: Map<string, Exchange>;

  function outbox(
    guarded?: (roomId: string) => boolean,
    ceiling?: (roomId: string) => TlpLabel | undefined,
  ): Outbox {
    return testOutbox(client, dataSource, (caseId) => Promise.resolve(exchanges.get(caseId)), {
      ...(guarded ? { guarded } : {}),
      ...(ceiling ? { ceiling } : {}),
    });
  }

  async function enqueue(
    box: Outbox,
    roomId: string,
    message: Parameters<Outbox["enqueue"]>[2],
  ): Promise<void> {
    await dataSource.transaction((manager) => box.enqueue(manager, roomId, message, MARIA));
  }

  beforeEach(async () => {
    dataSource = (await openDatabase({ type: "sqlite", path: ":memory:" })).dataSource;
    client = new FakeClient();
    exchanges = new Map();
    client.rooms.set("!dm", {
      members: [
        { userId: BOT, membership: "join" },
        { userId: MARIA, membership: "join" },
      ],
      encrypted: true,
    });
  });
  afterEach(async () => {
    await dataSource.destroy();
  });

  it("sends in order with the recorded transaction ID, and keeps no content once sent", async () => {
    const box = outbox();
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("one") });
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("two") });
    const stored = await dataSource.getRepository(OutgoingMessage).find({ order: { id: "ASC" } });
    expect(stored.map((row) => row.content)).to.satisfy((contents: (string | null)[]) =>
      contents.every((c) => c?.startsWith("v1:")),
    );
    await box.flush();
    expect(client.sent.map((s) => s.content["body"])).to.deep.equal([
      "[TLP:WHITE] one",
      "[TLP:WHITE] two",
    ]);
    expect(client.sent.map((s) => s.txnId)).to.deep.equal(stored.map((row) => row.txnId));
    const after = await dataSource.getRepository(OutgoingMessage).find();
    expect(after.map((row) => [row.state, row.content])).to.deep.equal([
      ["sent", null],
      ["sent", null],
    ]);
  });

  it("sends a summary private to a person to their direct-message room only", async () => {
    const box = outbox();
    await enqueue(box, "!dm", { label: "RED", privateTo: MARIA, text: verbatim("your report") });
    await box.flush();
    expect(client.sent).to.have.length(1);
  });

  it("refuses, audits and explains a RED message when someone outside the exchange is in the room", async () => {
    client.rooms.set("!ticket", {
      members: [
        { userId: BOT, membership: "join" },
        { userId: MARIA, membership: "join" },
        { userId: "@mallory:evil.org", membership: "invite" },
      ],
      encrypted: true,
    });
    exchanges.set("INC-2026-0001", {
      participants: new Set([BOT, MARIA]),
      organisations: new Set(["rights-collective"]),
    });
    const box = outbox();
    await enqueue(box, "!ticket", {
      label: "RED",
      caseId: "INC-2026-0001",
      text: verbatim("SECRET DETAILS"),
    });
    await box.flush();
    expect(client.sent.map((s) => s.content["body"])).to.deep.equal([
      "[TLP:WHITE] I did not send a TLP:RED message to this room: 1 member(s) are outside the audience of TLP:RED.",
    ]);
    expect(JSON.stringify(client.sent)).to.not.contain("SECRET");
    const refused = await dataSource
      .getRepository(OutgoingMessage)
      .findOneByOrFail({ label: "RED" });
    expect([refused.state, refused.reason, refused.content]).to.deep.equal([
      "refused",
      "outside-audience",
      null,
    ]);
    const entries = await dataSource.getRepository(AuditEntry).find();
    expect(entries.map((e) => [e.action, e.caseId, e.roomId, e.outcome, e.actor])).to.deep.equal([
      ["send.refused", "INC-2026-0001", "!ticket", "outside-audience", MARIA],
    ]);
  });

  it("waits for a room the client does not know yet, then sends once, without refusing", async () => {
    const box = outbox();
    await enqueue(box, "!new", { label: "WHITE", text: verbatim("welcome") });
    const sent = new Promise<void>((resolve) => {
      client.onSend = resolve;
    });
    await box.flush();
    expect(client.sent).to.deep.equal([]);
    client.rooms.set("!new", { members: [{ userId: BOT, membership: "join" }], encrypted: true });
    await sent; // by the retry timer
    await box.flush();
    expect(client.sent.map((s) => [s.roomId, s.content["body"]])).to.deep.equal([
      ["!new", "[TLP:WHITE] welcome"],
    ]);
    const states = (await dataSource.getRepository(OutgoingMessage).find()).map((m) => m.state);
    expect(states).to.deep.equal(["sent"]);
    await box.stop();
  });

  it("gives up a damaged row loudly, and sends the room's next message", async () => {
    const cipher = new FieldCipher(randomBytes(32));
    const box = testOutbox(client, dataSource, () => Promise.resolve(undefined), { cipher });
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("one") });
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("two") });
    const first = await dataSource.getRepository(OutgoingMessage).findOneByOrFail({ id: 1 });
    // Sealed as a row is, but not of a row's shape (a bug, or a restore gone wrong).
    const damaged = cipher.encrypt(
      '{"content":{"body":1}}',
      `outgoing_message.content:${first.txnId}`,
    );
    await dataSource.getRepository(OutgoingMessage).update({ id: 1 }, { content: damaged });
    await box.flush();
    expect(client.sent.map((s) => s.content["body"])).to.deep.equal(["[TLP:WHITE] two"]);
    const rows = await dataSource.getRepository(OutgoingMessage).find({ order: { id: "ASC" } });
    expect(rows.map((m) => [m.state, m.reason, m.content])).to.deep.equal([
      ["failed", "damaged", null],
      ["sent", null, null],
    ]);
  });

  it("gives up on a room the client never learns of, without explaining into it", async () => {
    const box = outbox();
    await enqueue(box, "!gone", { label: "WHITE", text: verbatim("lost") });
    for (let round = 0; round < 10; round++) {
      await box.flush();
      const row = await dataSource.getRepository(OutgoingMessage).findOneByOrFail({ id: 1 });
      if (row.state !== "pending") break;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const rows = await dataSource.getRepository(OutgoingMessage).find();
    expect(rows.map((m) => [m.state, m.reason])).to.deep.equal([["failed", "room-unknown"]]);
    expect(client.sent).to.deep.equal([]);
    await box.stop();
  });

  it("in a guarded room, holds a message while an outsider is there, and sends it once they are gone", async () => {
    const members = [
      { userId: BOT, membership: "join" },
      { userId: MARIA, membership: "join" },
      { userId: "@mallory:evil.org", membership: "join" },
    ];
    client.rooms.set("!ticket", { members, encrypted: true });
    exchanges.set("INC-2026-0001", {
      participants: new Set([BOT, MARIA]),
      organisations: new Set(["rights-collective"]),
    });
    const box = outbox((roomId) => roomId === "!ticket");
    await enqueue(box, "!ticket", {
      label: "RED",
      caseId: "INC-2026-0001",
      text: verbatim("SECRET DETAILS"),
    });
    const sent = new Promise<void>((resolve) => {
      client.onSend = resolve;
    });
    await box.flush();
    expect(client.sent, "nothing while the outsider is there").to.deep.equal([]);
    members.pop(); // the guard removed them
    await sent;
    expect(client.sent.map((s) => s.content["body"])).to.deep.equal(["[TLP:RED] SECRET DETAILS"]);
    await box.stop();
  });

  it("in a guarded room, refuses after a few rounds when the outsider stays", async () => {
    client.rooms.set("!ticket", {
      members: [
        { userId: BOT, membership: "join" },
        { userId: "@mallory:evil.org", membership: "join" },
      ],
      encrypted: true,
    });
    exchanges.set("INC-2026-0001", {
      participants: new Set([BOT, MARIA]),
      organisations: new Set(),
    });
    const box = outbox(() => true);
    await enqueue(box, "!ticket", {
      label: "RED",
      caseId: "INC-2026-0001",
      text: verbatim("SECRET DETAILS"),
    });
    const explained = new Promise<void>((resolve) => {
      client.onSend = resolve;
    });
    await box.flush();
    await explained;
    expect(JSON.stringify(client.sent)).to.not.contain("SECRET");
    const row = await dataSource.getRepository(OutgoingMessage).findOneByOrFail({ label: "RED" });
    expect([row.state, row.attempts]).to.deep.equal(["refused", 6]);
    await box.stop();
  });

  it("refuses a labelled message to an unencrypted room, and one whose case is unknown", async () => {
    client.rooms.set("!plain", {
      members: [{ userId: BOT, membership: "join" }],
      encrypted: false,
    });
    const box = outbox();
    await enqueue(box, "!plain", { label: "GREEN", text: verbatim("alert") });
    await enqueue(box, "!dm", {
      label: "AMBER",
      caseId: "INC-2026-0404",
      text: verbatim("details"),
    });
    await box.flush();
    const reasons = (
      await dataSource.getRepository(OutgoingMessage).find({ order: { id: "ASC" } })
    ).map((r) => r.reason);
    expect(reasons.slice(0, 2)).to.deep.equal(["room-unencrypted", "no-exchange"]);
  });

  it("never sends RED or AMBER to an alert room, even when everyone there is in the exchange", async () => {
    exchanges.set("INC-2026-0001", {
      participants: new Set([BOT, MARIA]),
      organisations: new Set(),
    });
    const box = outbox(undefined, (roomId) => (roomId === "!dm" ? "GREEN" : undefined));
    for (const label of ["RED", "AMBER", "GREEN"] as const)
      await enqueue(box, "!dm", { label, caseId: "INC-2026-0001", text: verbatim(`${label}-x`) });
    await box.flush();
    const rows = await dataSource.getRepository(OutgoingMessage).find({ order: { id: "ASC" } });
    expect(rows.slice(0, 3).map((r) => [r.label, r.state, r.reason])).to.deep.equal([
      ["RED", "refused", "above-room-ceiling"],
      ["AMBER", "refused", "above-room-ceiling"],
      ["GREEN", "sent", null],
    ]);
    const bodies = client.sent.map((m) => String(m.content["body"]));
    expect(bodies.filter((b) => b.includes("-x"))).to.deep.equal(["[TLP:GREEN] GREEN-x"]);
    expect(bodies.filter((b) => b.includes("never receives TLP:RED"))).to.have.length(1);
    await box.stop();
  });

  it("retries when the homeserver fails, and gives up on a message it refuses", async () => {
    const box = outbox();
    client.failures = [
      { httpStatus: 503, errcode: "M_UNKNOWN" },
      { httpStatus: 502, errcode: "M_UNKNOWN" },
    ];
    const delivered = new Promise<void>((resolve) => {
      client.onSend = resolve;
    });
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("eventually") });
    await box.flush();
    expect(client.sent).to.deep.equal([]);
    await delivered; // by the outbox's own retry timer, resending the client's failed echo
    await box.flush();
    expect(client.sent.map((s) => s.content["body"])).to.deep.equal(["[TLP:WHITE] eventually"]);
    expect(client.sent[0]?.txnId).to.match(/^dsx-/);
    expect(
      (await dataSource.getRepository(OutgoingMessage).findOneByOrFail({ state: "sent" })).attempts,
    ).to.equal(3);

    client.failures = [{ httpStatus: 403, errcode: "M_FORBIDDEN" }];
    client.onSend = undefined;
    await enqueue(box, "!dm", { label: "WHITE", text: verbatim("forbidden") });
    await box.flush();
    const failed = await dataSource
      .getRepository(OutgoingMessage)
      .findOneByOrFail({ state: "failed" });
    expect([failed.reason, failed.content]).to.deep.equal(["M_FORBIDDEN", null]);
    expect((await dataSource.getRepository(AuditEntry).find()).map((e) => e.action)).to.deep.equal([
      "send.failed",
    ]);
    await box.stop();
  });
});
