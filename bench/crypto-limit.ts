import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DecryptionSettings,
  DeviceId,
  EncryptionSettings,
  initAsync,
  OlmMachine,
  RoomId,
  StoreHandle,
  TrustRequirement,
  UserId,
} from "@matrix-org/matrix-sdk-crypto-wasm";
import { toContent } from "../src/chat/bot-message.js";
import { Catalog } from "../src/chat/catalog.js";
import { renderText } from "../src/chat/render.js";
import { openDurableIndexedDB } from "../src/matrix/indexeddb/durable-indexeddb.js";
import { InMemoryKeyServer } from "./key-exchange.js";

export interface CryptoLimit {
  /** Size in bytes of the plaintext content of a command and of the bot's answer. */
  readonly commandBytes: number;
  readonly replyBytes: number;
  /** Bot side: decrypting a command, and preparing (key sharing) plus encrypting a reply. */
  readonly decryptPerSecond: number;
  readonly encryptPerSecond: number;
  /** Commands per second the bot's crypto alone allows: one decrypt and one encrypt each. */
  readonly commandsPerSecond: number;
  readonly events: number;
}

const BOT = "@dsx:bench.local";
const PARTNER = "@partner:bench.local";
const ROOM = "!direct:bench.local";

/**
 * The crypto's own limit: the Rust OlmMachine as matrix-js-sdk drives it, the bot's with its
 * persistent store (the durable IndexedDB, journalled to encrypted SQLite), in one process with
 * no network. Each round the partner encrypts `status`; the bot decrypts it, then does what
 * matrix-js-sdk does before each send (claims missing sessions, shares the room key: a no-op
 * until the session rotates after 100 messages) and encrypts the real `status` answer.
 */
export async function measureCryptoLimit(rounds: number): Promise<CryptoLimit> {
  await initAsync();
  const directory = mkdtempSync(join(tmpdir(), "dsx-bench-crypto-"));
  const durable = await openDurableIndexedDB({ directory, passphrase: "bench" });
  const restoreGlobals = durable.installGlobals();
  try {
    const botStore = await StoreHandle.open("dsx-bot", "bench store passphrase");
    const bot = await OlmMachine.initFromStore(
      new UserId(BOT),
      new DeviceId("BOTDEVICE"),
      botStore,
    );
    const partnerStore = await StoreHandle.open(undefined, undefined);
    const partner = await OlmMachine.initFromStore(
      new UserId(PARTNER),
      new DeviceId("PARTNERDEVICE"),
      partnerStore,
    );
    const server = new InMemoryKeyServer(
      new Map([
        [BOT, bot],
        [PARTNER, partner],
      ]),
    );
    await bot.updateTrackedUsers([new UserId(PARTNER)]);
    await partner.updateTrackedUsers([new UserId(BOT)]);
    await server.settle();

    const command = { msgtype: "m.text", body: "status" };
    const catalog = Catalog.load();
    const reply = toContent(
      { label: "WHITE", text: renderText(catalog, "en", { key: "status.none" }) },
      "1.0",
    );
    const settings = new DecryptionSettings(TrustRequirement.Untrusted);
    let decryptMs = 0;
    let encryptMs = 0;
    for (let i = 0; i < rounds; i++) {
      const inbound = await encrypt(server, partner, PARTNER, BOT, command);
      let started = performance.now();
      await bot.decryptRoomEvent(eventOf(inbound, PARTNER, i), new RoomId(ROOM), settings);
      decryptMs += performance.now() - started;

      started = performance.now();
      const outbound = await encrypt(server, bot, BOT, PARTNER, reply);
      encryptMs += performance.now() - started;
      await partner.decryptRoomEvent(eventOf(outbound, BOT, i), new RoomId(ROOM), settings);
    }
    bot.close();
    partner.close();
    return {
      commandBytes: Buffer.byteLength(JSON.stringify(command)),
      replyBytes: Buffer.byteLength(JSON.stringify(reply)),
      decryptPerSecond: (rounds * 1000) / decryptMs,
      encryptPerSecond: (rounds * 1000) / encryptMs,
      commandsPerSecond: (rounds * 1000) / (decryptMs + encryptMs),
      events: rounds,
    };
  } finally {
    durable.close();
    restoreGlobals();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** What matrix-js-sdk's RoomEncryptor does for one send: sessions, room key, then encrypt. */
async function encrypt(
  server: InMemoryKeyServer,
  machine: OlmMachine,
  sender: string,
  recipient: string,
  content: object,
): Promise<string> {
  const claim = await machine.getMissingSessions([new UserId(recipient)]);
  if (claim) await server.answer(sender, machine, claim);
  const shares = await machine.shareRoomKey(
    new RoomId(ROOM),
    [new UserId(recipient)],
    new EncryptionSettings(),
  );
  await server.deliver(sender, shares);
  return machine.encryptRoomEvent(new RoomId(ROOM), "m.room.message", JSON.stringify(content));
}

function eventOf(content: string, sender: string, n: number): string {
  return JSON.stringify({
    type: "m.room.encrypted",
    content: JSON.parse(content) as unknown,
    sender,
    event_id: `$bench-${sender}-${String(n)}`,
    origin_server_ts: Date.now(),
    room_id: ROOM,
  });
}
