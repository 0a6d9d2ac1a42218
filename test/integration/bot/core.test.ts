import { expect } from "chai";
import { Method, type MatrixEvent } from "matrix-js-sdk";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { writeFile } from "node:fs/promises";
import { loginWithPassword } from "../../support/clients/registration.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";
import { onSynapse } from "../../support/synapse/synapse-homeserver.js";
import { pollUntil } from "../../support/poll.js";

/** The bot's notices in a room, as the person reads them (decrypted). */
function isBotNotice(world: DsxWorld) {
  return (event: MatrixEvent): boolean =>
    event.getSender() === world.botUserId && event.getContent()["msgtype"] === "m.notice";
}

describe("the bot's core, as a partner sees it", function () {
  this.timeout(120_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create();
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && process.env.DSX_SHOW_BOT_LOG) {
      console.log(world.bot?.stdout.split("\n").slice(-60).join("\n"));
    }
    await world.stop();
  });

  it("a partner opens an encrypted direct message, says help, and gets an encrypted HTML answer", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    const sent = await maria.sendText(room, "help");
    const reply = await maria.waitForEvent(room, isBotNotice(world), 30_000);
    expect(reply.isEncrypted(), "the answer is end-to-end encrypted").to.equal(true);
    const content = reply.getContent();
    expect(content["body"]).to.match(/^\[TLP:WHITE\] Here is what you can ask me:/);
    for (const word of ["help", "status", "cancel", "language"])
      expect(content["body"]).to.contain(`\`${word}`);
    expect(content["format"]).to.equal("org.matrix.custom.html");
    expect(content["formatted_body"]).to.contain("<ul><li>");
    expect(content["org.dsx.tlp"]).to.equal("WHITE");
    expect(reply.getTs()).to.be.at.least((await maria.fetchEvent(room, sent)).getTs());
  });

  it("answers, once and in order, what was sent while it was stopped, as the same device", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "help");
    await maria.waitForEvent(room, isBotNotice(world), 30_000);
    const devicesBefore = await botDevices(world, maria);

    for (let round = 1; round <= 2; round++) {
      await world.stopBot("SIGTERM");
      for (const n of [1, 2, 3]) await maria.sendText(room, `language r${round}m${n}`);
      await world.startBot();
      await maria.waitForMessage(
        room,
        (body, e) => isBotNotice(world)(e) && body.includes(`r${round}m3`),
        30_000,
      );
    }
    // A marker after everything: once it is answered, every earlier answer has been sent.
    await maria.sendText(room, "language marker");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("marker"),
      30_000,
    );
    const answers = botBodies(world, maria, room).filter((body) => /r\dm\d/.test(body));
    expect(answers.map((body) => /r\dm\d/.exec(body)?.[0])).to.deep.equal([
      "r1m1",
      "r1m2",
      "r1m3",
      "r2m1",
      "r2m2",
      "r2m3",
    ]);
    expect(await botDevices(world, maria)).to.deep.equal(devicesBefore);
    expect(devicesBefore).to.have.length(1);
  });

  it("after a long downtime answers every message, also those a limited sync skips", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await world.stopBot("SIGTERM");
    const count = 40;
    for (let n = 1; n <= count; n++) await maria.sendText(room, `language gap${n}`);
    await world.startBot();
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes(`gap${count}`),
      60_000,
    );
    const answered = botBodies(world, maria, room).map((body) => /gap(\d+)/.exec(body)?.[1]);
    expect(answered).to.deep.equal(Array.from({ length: count }, (_, i) => String(i + 1)));
    expect(world.bot?.stdout).to.contain("filling a gap in the timeline");
  });

  it("loses nothing and doubles nothing when killed with SIGKILL in a stream of messages", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    const count = 12;
    for (let n = 1; n <= count; n++) await maria.sendText(room, `language kill${n}`);
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("kill2"),
      30_000,
    );
    await world.stopBot("SIGKILL");
    await world.startBot();
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes(`kill${count}`),
      60_000,
    );
    await maria.sendText(room, "language marker");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("marker"),
      30_000,
    );
    const answered = botBodies(world, maria, room).flatMap(
      (body) => /kill(\d+)/.exec(body)?.[1] ?? [],
    );
    expect(answered).to.deep.equal(Array.from({ length: count }, (_, i) => String(i + 1)));
  });

  it("keeps going while the homeserver fails, and catches up", async function () {
    needsTestHomeserver(this, "injects homeserver faults");
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "language before");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("before"),
      30_000,
    );
    await maria.sendText(room, "language during");
    world.testHomeserver.faults.set({ failNext: 6, status: 503 });
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("during"),
      60_000,
    );
    world.testHomeserver.faults.clear();
    await maria.sendText(room, "language after");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("after"),
      60_000,
    );
    expect(world.bot?.child.exitCode).to.equal(null);
  });

  it("on its first day, accepts a stranger's invitation sent before it started, who shares a DSX room", async () => {
    // Olga is not in the directory but is in the community room (she may need to report
    // harassment). Her invitation came before the bot had joined its rooms: it was refused,
    // for good, as if she were a stranger to every DSX room.
    const ana = await world.dsxTeamMember();
    const olga = await world.person("olga");
    await ana.invite(world.rooms.communityAlerts, olga.userId);
    await olga.waitForMembership(world.rooms.communityAlerts, "invite", 30_000);
    await olga.joinRoom(world.rooms.communityAlerts);
    const room = await olga.createEncryptedRoom({
      invite: [world.botUserId],
      isDirect: true,
      preset: "trusted_private_chat",
    });
    await world.startBot();
    await olga.waitForMemberState(room, world.botUserId, "join", 30_000);
    await olga.sendText(room, "help");
    await olga.waitForMessage(room, (_body, e) => isBotNotice(world)(e), 30_000);
  });

  it("logs its device's session key as Element shows it: the key a partner's client has for it", async () => {
    const bot = await world.startBot();
    const maria = await world.person("maria");
    await world.directMessage(maria);
    const line = bot.stdout.split("\n").find((l) => l.includes(`"msg":"the bot's device"`));
    const logged = JSON.parse(line ?? "{}") as { deviceId?: string; sessionKey?: string };
    expect(logged.sessionKey).to.match(/^(\S{4} )+\S{1,4}$/);
    const devices = await maria.client.getCrypto()?.getUserDeviceInfo([world.botUserId], true);
    const device = devices?.get(world.botUserId)?.get(logged.deviceId ?? "");
    expect(logged.sessionKey?.replace(/ /g, "")).to.equal(device?.getFingerprint());
  });

  it("accepts a partner's invitation once the homeserver stops failing the join", async function () {
    needsTestHomeserver(this, "injects homeserver faults");
    await world.startBot();
    // Twice refused with 502 (a proxy in front of the homeserver, a federation timeout):
    // before, the bot gave up until its next start, and Maria's messages went unanswered.
    world.testHomeserver.faults.set({ failNext: 2, status: 502, failPaths: "/join/" });
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "help");
    await maria.waitForMessage(room, (_body, e) => isBotNotice(world)(e), 30_000);
    expect(world.bot?.child.exitCode).to.equal(null);
  });

  it("answers malformed and unsupported messages politely and never crashes", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    const notices = async (content: Record<string, unknown>, expected: RegExp) => {
      await maria.sendEvent(room, "m.room.message", content);
      await maria.waitForMessage(
        room,
        (body, e) =>
          isBotNotice(world)(e) && expected.test(body) && e.getTs() >= Date.now() - 30_000,
        30_000,
      );
    };
    await notices({ msgtype: "m.text" }, /only read text messages/);
    await notices({ msgtype: "m.text", body: 42 }, /only read text messages/);
    await notices(
      { msgtype: "m.image", body: "cat.png", url: "mxc://x/y" },
      /only read text messages/,
    );
    await notices(
      { msgtype: "m.text", body: "x".repeat(25_000) },
      /too long for me \(25000 characters; at most 20000\)/,
    );
    await maria.sendEvent(room, "org.example.unknown", { nested: { deep: [1, 2, 3] } });
    await maria.sendEvent(room, "m.room.message", {
      msgtype: "m.notice",
      body: "a notice from another bot",
    });
    await maria.sendText(room, "  HELP  ");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("Here is what you can ask me"),
      30_000,
    );
    expect(world.bot?.child.exitCode).to.equal(null);
    const answered = botBodies(world, maria, room);
    expect(answered.filter((b) => b.includes("another bot"))).to.deep.equal([]);
    expect(answered).to.have.length(5);
  });

  it("refuses, politely, a direct message from someone the directory does not know", async () => {
    await world.startBot();
    const stranger = await world.person("stranger");
    const room = await stranger.createEncryptedRoom({ invite: [world.botUserId], isDirect: true });
    await stranger.waitForMemberState(room, world.botUserId, "leave", 30_000);
    const membership = stranger.client.getRoom(room)?.getMember(world.botUserId)?.events.member;
    expect(membership?.getContent()["reason"]).to.match(/works only with the organisations/);
  });

  it("is one device, cross-signed by its account, so Element shows it verified by its owner", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    await world.directMessage(maria);
    const [deviceId] = await botDevices(world, maria);
    expect(deviceId).to.be.a("string");
    const crypto = maria.client.getCrypto();
    // Her client learns the bot's cross-signing keys from a key query; one made before the
    // bot's signature reached it (delivery takes time, as over federation) is asked again.
    await pollUntil(
      "Maria's client to see the bot's device signed by the bot's self-signing key",
      async () => {
        await crypto?.getUserDeviceInfo([world.botUserId], true);
        const status = await crypto?.getDeviceVerificationStatus(world.botUserId, deviceId ?? "");
        return status?.signedByOwner === true;
      },
      30_000,
    );
  });

  it("with an access token on a server that asks for the password, says what to do; with the password it is cross-signed at the next start", async function () {
    if (!onSynapse()) {
      process.stdout.write(
        "      skipped on the project's homeserver: its first key upload needs no password (current spec)\n",
      );
      this.skip();
    }
    const login = await loginWithPassword(
      world.homeserver.url,
      "dsx",
      world.env.DSX_BOT_PASSWORD ?? "",
    );
    const byPassword = `password: "\${DSX_BOT_PASSWORD}"`;
    const config = world.configText();
    await writeFile(
      world.configFile,
      config.replace(byPassword, `accessToken: "${login.accessToken}"`),
    );
    await world.startBot();
    await world.bot?.waitForLine(/asks for the bot's password to publish its cross-signing keys/);
    expect(world.logs).to.not.contain("cross-signed the bot's device");
    await world.stopBot();

    await writeFile(
      world.configFile,
      config.replace(byPassword, `accessToken: "${login.accessToken}", ${byPassword}`),
    );
    await world.startBot();
    await world.bot?.waitForLine(/cross-signed the bot's device/);
    const maria = await world.person("maria");
    await world.directMessage(maria);
    const status = await maria.client
      .getCrypto()
      ?.getDeviceVerificationStatus(world.botUserId, login.deviceId);
    expect(status?.signedByOwner, "the token's device is signed by the bot's account").to.equal(
      true,
    );
  });

  it("keeps a message it cannot decrypt and asks the sender to send it again", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    // A megolm message whose session the bot never received (as when a key is lost in transit).
    const path = `/rooms/${encodeURIComponent(room)}/send/m.room.encrypted/lost-key-1`;
    await maria.client.http.authedRequest(Method.Put, path, undefined, {
      algorithm: "m.megolm.v1.aes-sha2",
      sender_key: "c29tZSBjdXJ2ZTI1NTE5IGtleSB0aGF0IGlzIG5vdCByZWFs",
      session_id: "bm8gc3VjaCBzZXNzaW9u",
      device_id: maria.deviceId,
      ciphertext: "QmFkIGNpcGhlcnRleHQ",
    });
    const ask = await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("could not decrypt"),
      30_000,
    );
    expect(ask.getContent()["org.dsx.step"]).to.equal("resend");
    expect(world.bot?.stdout).to.contain("kept an event that cannot be decrypted yet");
    // Still answering afterwards.
    await maria.sendText(room, "help");
    await maria.waitForMessage(
      room,
      (body, e) => isBotNotice(world)(e) && body.includes("Here is what you can ask me"),
      30_000,
    );
    const asks = world
      .botMessages(maria, room)
      .filter((e) => e.getContent()["org.dsx.step"] === "resend");
    expect(asks, "asked once, however slow the retries").to.have.length(1);
  });

  it("answers two people writing at the same time in different rooms, every message once", async () => {
    await world.startBot();
    const maria = await world.person("maria");
    const mario = await world.person("mario");
    const [mariaRoom, marioRoom] = await Promise.all([
      world.directMessage(maria),
      world.directMessage(mario),
    ]);
    const count = 6;
    await Promise.all([
      (async () => {
        for (let n = 1; n <= count; n++) await maria.sendText(mariaRoom, `language a${n}`);
      })(),
      (async () => {
        for (let n = 1; n <= count; n++) await mario.sendText(marioRoom, `language b${n}`);
      })(),
    ]);
    await maria.waitForMessage(
      mariaRoom,
      (body, e) => isBotNotice(world)(e) && body.includes(`a${count}`),
      30_000,
    );
    await mario.waitForMessage(
      marioRoom,
      (body, e) => isBotNotice(world)(e) && body.includes(`b${count}`),
      30_000,
    );
    const numbers = (person: typeof maria, room: string, prefix: string) =>
      botBodies(world, person, room).flatMap(
        (body) => new RegExp(`${prefix}(\\d+)`).exec(body)?.[1] ?? [],
      );
    const expected = Array.from({ length: count }, (_, i) => String(i + 1));
    expect(numbers(maria, mariaRoom, "a")).to.deep.equal(expected);
    expect(numbers(mario, marioRoom, "b")).to.deep.equal(expected);
    expect(world.bot?.stdout).to.not.contain("handling an event failed");
  });
});

function botBodies(
  world: DsxWorld,
  person: { client: import("matrix-js-sdk").MatrixClient },
  roomId: string,
): string[] {
  const events = person.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  return events.filter(isBotNotice(world)).map((e) => String(e.getContent()["body"]));
}

async function botDevices(
  world: DsxWorld,
  person: { client: import("matrix-js-sdk").MatrixClient },
): Promise<string[]> {
  const devices = await person.client.getCrypto()?.getUserDeviceInfo([world.botUserId], true);
  return [...(devices?.get(world.botUserId)?.keys() ?? [])].sort();
}
