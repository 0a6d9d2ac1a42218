import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DecryptionSettings,
  DeviceId,
  EncryptionSettings,
  OlmMachine,
  RoomId,
  TrustRequirement,
  UserId,
} from "@matrix-org/matrix-sdk-crypto-wasm";
import { expect } from "chai";
import { IndexedDBStore, type ISyncResponse } from "matrix-js-sdk";
import {
  openDurableIndexedDB,
  type DurableIndexedDB,
} from "../../../../src/matrix/indexeddb/durable-indexeddb.js";
import { silenceSdkLogging } from "../../../support/clients/silent-logger.js";
import { copyAsAfterCrash } from "./idb-helpers.js";

const bot = "@dsx:example.org";
const room = "!triage:example.org";
const storePassphrase = "store passphrase from configuration";

describe("durable IndexedDB under matrix-js-sdk and the Rust crypto", function () {
  this.timeout(60_000);
  const directories: string[] = [];
  const opened: DurableIndexedDB[] = [];
  let restoreGlobals: (() => void) | undefined;

  before(function () {
    silenceSdkLogging();
  });

  async function open(directory: string): Promise<DurableIndexedDB> {
    const durable = await openDurableIndexedDB({ directory, passphrase: storePassphrase });
    opened.push(durable);
    return durable;
  }

  function newDirectory(): string {
    const directory = mkdtempSync(join(tmpdir(), "dsx-idb-sdk-"));
    directories.push(directory);
    return directory;
  }

  /** Brings the store's data up in a new factory, from the files a kill would leave. */
  async function restart(durable: DurableIndexedDB, directory: string) {
    const copy = copyAsAfterCrash(directory);
    directories.push(copy);
    durable.close();
    return open(copy);
  }

  afterEach(function () {
    restoreGlobals?.();
    restoreGlobals = undefined;
    for (const durable of opened.splice(0)) durable.close();
    for (const directory of directories.splice(0)) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("keeps the OlmMachine's identity keys and room keys across a restart", async function () {
    const directory = newDirectory();
    let durable = await open(directory);
    restoreGlobals = durable.installGlobals();
    const initialize = () =>
      OlmMachine.initialize(
        new UserId(bot),
        new DeviceId("DSXBOTDEVICE"),
        "dsx-bot",
        storePassphrase,
      );
    const first = await initialize();
    const keys = {
      ed25519: first.identityKeys.ed25519.toBase64(),
      curve25519: first.identityKeys.curve25519.toBase64(),
    };
    await first.shareRoomKey(new RoomId(room), [], new EncryptionSettings());
    const content = await first.encryptRoomEvent(
      new RoomId(room),
      "m.room.message",
      JSON.stringify({ msgtype: "m.text", body: "sent before the restart" }),
    );
    first.close();

    restoreGlobals();
    durable = await restart(durable, directory);
    restoreGlobals = durable.installGlobals();
    const second = await initialize();
    expect({
      ed25519: second.identityKeys.ed25519.toBase64(),
      curve25519: second.identityKeys.curve25519.toBase64(),
    }).to.deep.equal(keys);
    const event = {
      type: "m.room.encrypted",
      content: JSON.parse(content) as unknown,
      sender: bot,
      event_id: "$before-restart",
      origin_server_ts: Date.now(),
      room_id: room,
    };
    const decrypted = await second.decryptRoomEvent(
      JSON.stringify(event),
      new RoomId(room),
      new DecryptionSettings(TrustRequirement.Untrusted),
    );
    const clear = JSON.parse(decrypted.event) as { content: { body: string } };
    expect(clear.content.body).to.equal("sent before the restart");
    second.close();
  });

  it("keeps matrix-js-sdk's saved sync across a restart", async function () {
    const directory = newDirectory();
    let durable = await open(directory);
    const first = new IndexedDBStore({ indexedDB: durable.factory, dbName: "dsx-sync" });
    await first.startup();
    expect(await first.isNewlyCreated()).to.equal(true);
    const sync = {
      next_batch: "s72594_4483_1934",
      account_data: { events: [{ type: "m.direct", content: { "@ana:example.org": [room] } }] },
      rooms: {
        join: {
          [room]: {
            timeline: {
              events: [
                {
                  type: "m.room.message",
                  event_id: "$report",
                  sender: "@ana:example.org",
                  origin_server_ts: 1,
                  content: { msgtype: "m.text", body: "a report" },
                },
              ],
              limited: false,
              prev_batch: "p1",
            },
            state: { events: [] },
            ephemeral: { events: [] },
            account_data: { events: [] },
            unread_notifications: {},
          },
        },
        invite: {},
        leave: {},
        knock: {},
      },
    } as unknown as ISyncResponse;
    await first.setSyncData(sync);
    await first.save(true);

    durable = await restart(durable, directory);
    const second = new IndexedDBStore({ indexedDB: durable.factory, dbName: "dsx-sync" });
    await second.startup();
    expect(await second.isNewlyCreated()).to.equal(false);
    const saved = await second.getSavedSync();
    expect(saved?.nextBatch).to.equal("s72594_4483_1934");
    expect(saved?.accountData.map((event) => event.type)).to.deep.equal(["m.direct"]);
    const timeline = saved?.roomsData.join[room]?.timeline.events ?? [];
    expect(timeline.map((event) => event.event_id)).to.deep.equal(["$report"]);
    expect(await second.getSavedSyncToken()).to.equal("s72594_4483_1934");
  });
});
