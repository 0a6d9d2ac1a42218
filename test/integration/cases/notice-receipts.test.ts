import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { RoomEvent, type MatrixClient, type Room } from "matrix-js-sdk";
import type { DataSource } from "typeorm";
import { NoticeReceipts } from "../../../src/cases/vulnerabilities/read-receipts.js";
import { VulnerabilityStore } from "../../../src/cases/vulnerabilities/vulnerability-store.js";
import { OutgoingMessage } from "../../../src/store/entities/outgoing-message.js";
import { Vulnerability } from "../../../src/store/entities/vulnerability.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { eachTestDatabase } from "../../support/databases.js";

const BOT = "@dsx:exchange.example";
const CONTACT = "@pablo:press.example";
const ROOM = "!notice:exchange.example";
const NOTICE = "$notice";

const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child() {
    return silent;
  },
};

describe("read receipts of vulnerability notices", function () {
  this.timeout(30_000);
  let dataSource: DataSource;
  eachTestDatabase("sqlite", (opened) => {
    ({ dataSource } = opened);
  });

  it("a notice read after everything else asks for what it queued to be sent, once recorded", async () => {
    const store = new VulnerabilityStore(new FieldCipher(randomBytes(32)));
    const seal = (column: "reporter" | "reporterRoom" | "description" | "evidence") =>
      store.seal("VUL-2026-0001", column, "sealed");
    await dataSource.manager.save(
      dataSource.manager.create(Vulnerability, {
        caseId: "VUL-2026-0001",
        state: "notified",
        severity: "high",
        affectedOrg: "press-freedom",
        contacts: JSON.stringify([{ userId: CONTACT, roomId: ROOM }]),
        reporter: seal("reporter"),
        reporterRoom: seal("reporterRoom"),
        credit: null,
        shareContact: false,
        description: seal("description"),
        evidence: seal("evidence"),
        language: "en",
        notifiedAt: 1,
        seenAt: null,
        answeredAt: null,
        respondBy: 2,
        escalateAt: 3,
        discloseAt: 4,
        approvals: "[]",
        objections: null,
      }),
    );
    await dataSource.manager.save(
      dataSource.manager.create(OutgoingMessage, {
        txnId: "txn-notice",
        roomId: ROOM,
        label: "AMBER",
        caseId: "VUL-2026-0001",
        requester: null,
        content: null,
        state: "sent",
        eventId: NOTICE,
        reason: null,
      }),
    );
    const read = new Set<string>();
    const room = {
      roomId: ROOM,
      hasUserReadEvent: (userId: string, eventId: string) => read.has(`${userId} ${eventId}`),
    } as unknown as Room;
    const client = Object.assign(new EventEmitter(), {
      getUserId: () => BOT,
      getRoom: (roomId: string) => (roomId === ROOM ? room : null),
    });
    const told: string[] = [];
    const receipts = new NoticeReceipts({
      client: client as unknown as MatrixClient,
      dataSource,
      store,
      log: silent,
      seen: (_manager, caseId) => {
        told.push(caseId);
        return Promise.resolve();
      },
    });
    // The receipt is the last thing the sync brings: no inbox event follows to send the news.
    const afterSeen = new Promise<number | null>((resolve) => {
      receipts.watch(() => {
        void store.get(dataSource.manager, "VUL-2026-0001").then((v) => {
          resolve(v?.seenAt ?? null);
        });
      });
    });
    read.add(`${CONTACT} ${NOTICE}`);
    const receipt = { getContent: () => ({ [NOTICE]: { "m.read": { [CONTACT]: { ts: 5 } } } }) };
    client.emit(RoomEvent.Receipt, receipt, room);
    expect(await afterSeen, "called after the read is committed").to.be.a("number");
    expect(told).to.deep.equal(["VUL-2026-0001"]);
  });
});
