import { expect } from "chai";
import { TestHomeserver, type RegisteredUser } from "../../support/homeserver/index.js";
import { at, enc, MatrixHttp, txn } from "./matrix-http.js";

interface Event {
  event_id: string;
  type: string;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
}

describe("test homeserver sync, history visibility and keys", () => {
  let homeserver: TestHomeserver;
  let http: MatrixHttp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  const ok = (who: RegisteredUser, method: string, path: string, body?: unknown) =>
    http.ok(method, path, who.accessToken, body ?? (method === "GET" ? undefined : {}));
  const send = async (who: RegisteredUser, roomId: string, body: string, txnId = txn()) =>
    String(
      (
        await ok(who, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${txnId}`, {
          msgtype: "m.text",
          body,
        })
      ).event_id,
    );
  const timeline = (sync: unknown, roomId: string): Event[] =>
    (at(sync, "rooms", "join", roomId, "timeline", "events") as Event[] | undefined) ?? [];
  const bodies = (events: readonly Event[]) =>
    events.filter((e) => e.type === "m.room.message").map((e) => e.content.body);

  async function roomWith(visibility: string): Promise<string> {
    const { room_id: roomId } = await ok(alice, "POST", "/createRoom", {
      initial_state: [
        {
          type: "m.room.history_visibility",
          state_key: "",
          content: { history_visibility: visibility },
        },
      ],
    });
    return String(roomId);
  }

  beforeEach(async () => {
    homeserver = await TestHomeserver.start();
    http = new MatrixHttp(homeserver.url);
    alice = await homeserver.registerUser("alice");
    bob = await homeserver.registerUser("bob");
  });

  afterEach(async () => {
    await homeserver.stop();
  });

  for (const [visibility, seenBeforeInvite, seenWhileInvited] of [
    ["joined", false, false],
    ["invited", false, true],
    ["shared", true, true],
    ["world_readable", true, true],
  ] as const) {
    it(`applies ${visibility} history visibility to sync, /messages and event by id`, async () => {
      const roomId = await roomWith(visibility);
      const early = await send(alice, roomId, "early");
      await ok(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
      const invited = await send(alice, roomId, "while invited");
      await ok(bob, "POST", `/join/${enc(roomId)}`);
      await send(alice, roomId, "after join");

      const expected = [
        ...(seenBeforeInvite ? ["early"] : []),
        ...(seenWhileInvited ? ["while invited"] : []),
        "after join",
      ];
      expect(bodies(timeline(await http.sync(bob.accessToken), roomId))).to.deep.equal(expected);
      const messages = await ok(bob, "GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
      expect(bodies(messages.chunk as Event[]).reverse()).to.deep.equal(expected);
      const byId = await http.call(
        "GET",
        `/rooms/${enc(roomId)}/event/${enc(early)}`,
        bob.accessToken,
      );
      expect(byId.status).to.equal(seenBeforeInvite ? 200 : 404);
      const whileInvited = await http.call(
        "GET",
        `/rooms/${enc(roomId)}/event/${enc(invited)}`,
        bob.accessToken,
      );
      expect(whileInvited.status).to.equal(seenWhileInvited ? 200 : 404);
    });
  }

  it("gives a user who joins a joined-visibility room every member before them", async () => {
    // History visibility limits the timeline, never the state: a ticket room's provider who
    // joins after the partner must learn her membership to encrypt to her (Synapse does).
    const roomId = await roomWith("joined");
    const carol = await homeserver.registerUser("carol");
    await ok(alice, "PUT", `/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "before" });
    for (const who of [bob, carol])
      await ok(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: who.userId });
    const carolBefore = await http.sync(carol.accessToken);
    await ok(bob, "POST", `/join/${enc(roomId)}`);
    await send(bob, roomId, "bob is here");
    await ok(carol, "POST", `/join/${enc(roomId)}`);

    const memberships = (sync: unknown): Record<string, unknown> => {
      const section = at(sync, "rooms", "join", roomId) as {
        state: { events: Event[] };
        timeline: { events: Event[] };
      };
      const found: Record<string, unknown> = {};
      for (const e of [...section.state.events, ...section.timeline.events]) {
        const key = (e as { state_key?: string }).state_key;
        if (e.type === "m.room.member" && key !== undefined) found[key] = e.content.membership;
        if (e.type === "m.room.topic") found.topic = e.content.topic;
      }
      return found;
    };
    const expected = {
      [alice.userId]: "join",
      [bob.userId]: "join",
      [carol.userId]: "join",
      topic: "before",
    };
    expect(memberships(await http.sync(carol.accessToken))).to.deep.equal(expected);
    const since = `since=${String(carolBefore.next_batch)}`;
    expect(memberships(await http.sync(carol.accessToken, since))).to.deep.equal(expected);
    const members = await ok(carol, "GET", `/rooms/${enc(roomId)}/joined_members`);
    expect(Object.keys(members.joined as object)).to.have.members([
      alice.userId,
      bob.userId,
      carol.userId,
    ]);
    expect(bodies(timeline(await http.sync(carol.accessToken), roomId))).to.deep.equal([]);
  });

  it("hides what was sent after a user left, and refuses strangers", async () => {
    const roomId = await roomWith("shared");
    await ok(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
    await ok(bob, "POST", `/join/${enc(roomId)}`);
    await send(alice, roomId, "while bob is here");
    await ok(bob, "POST", `/rooms/${enc(roomId)}/leave`);
    const secret = await send(alice, roomId, "after bob left");
    const messages = await ok(bob, "GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    expect(bodies(messages.chunk as Event[])).to.deep.equal(["while bob is here"]);
    const byId = await http.call(
      "GET",
      `/rooms/${enc(roomId)}/event/${enc(secret)}`,
      bob.accessToken,
    );
    expect(byId.status).to.equal(404);
    const carol = await homeserver.registerUser("carol");
    const stranger = await http.call(
      "GET",
      `/rooms/${enc(roomId)}/messages?dir=b`,
      carol.accessToken,
    );
    expect([stranger.status, stranger.json.errcode]).to.deep.equal([403, "M_FORBIDDEN"]);
  });

  it("makes PUT send and redact idempotent per device and echoes the transaction id", async () => {
    const roomId = await roomWith("shared");
    const first = await send(alice, roomId, "once", "txn-1");
    const again = await send(alice, roomId, "once", "txn-1");
    expect(again).to.equal(first);
    const otherDevice = await http.request("POST", "/_matrix/client/v3/login", {
      body: { type: "m.login.password", user: "alice", password: alice.password },
    });
    const aliceTwo = { ...alice, accessToken: String(otherDevice.json.access_token) };
    const fromOtherDevice = await send(aliceTwo, roomId, "once", "txn-1");
    expect(fromOtherDevice).not.to.equal(first);
    const r1 = await ok(alice, "PUT", `/rooms/${enc(roomId)}/redact/${enc(first)}/red-1`);
    const r2 = await ok(alice, "PUT", `/rooms/${enc(roomId)}/redact/${enc(first)}/red-1`);
    expect(r2.event_id).to.equal(r1.event_id);
    const messages = homeserver.room(roomId)!.timeline.filter((e) => e.type === "m.room.message");
    expect(messages.map((e) => e.event_id)).to.deep.equal([first, fromOtherDevice]);

    const own = timeline(await http.sync(alice.accessToken), roomId).find(
      (e) => e.event_id === fromOtherDevice,
    );
    expect(own?.unsigned?.transaction_id).to.equal(undefined);
    const mine = timeline(await http.sync(aliceTwo.accessToken), roomId).find(
      (e) => e.event_id === fromOtherDevice,
    );
    expect(mine?.unsigned?.transaction_id).to.equal("txn-1");
  });

  it("gives prev_content and replaces_state for state changes", async () => {
    const roomId = await roomWith("shared");
    await ok(alice, "PUT", `/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "one" });
    await ok(alice, "PUT", `/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "two" });
    const events = timeline(await http.sync(alice.accessToken), roomId);
    const topics = events.filter((e) => e.type === "m.room.topic");
    expect(topics[1]?.unsigned?.prev_content).to.deep.equal({ topic: "one" });
    expect(topics[1]?.unsigned?.replaces_state).to.equal(topics[0]?.event_id);
  });

  it("limits the timeline, with prev_batch leading /messages back through the gap", async () => {
    const roomId = await roomWith("shared");
    const first = await http.sync(alice.accessToken);
    for (let i = 0; i < 15; i++) await send(alice, roomId, `m${i}`);
    const filter = enc(JSON.stringify({ room: { timeline: { limit: 5 } } }));
    const next = await http.sync(
      alice.accessToken,
      `since=${String(first.next_batch)}&filter=${filter}`,
    );
    const section = at(next, "rooms", "join", roomId, "timeline") as {
      events: Event[];
      limited: boolean;
      prev_batch: string;
    };
    expect(section.limited).to.equal(true);
    expect(bodies(section.events)).to.deep.equal(["m10", "m11", "m12", "m13", "m14"]);
    const back = await ok(
      alice,
      "GET",
      `/rooms/${enc(roomId)}/messages?dir=b&limit=4&from=${section.prev_batch}`,
    );
    expect(bodies(back.chunk as Event[])).to.deep.equal(["m9", "m8", "m7", "m6"]);
    const forward = await ok(
      alice,
      "GET",
      `/rooms/${enc(roomId)}/messages?dir=f&limit=3&from=${String(back.end)}`,
    );
    expect(bodies(forward.chunk as Event[])).to.deep.equal(["m6", "m7", "m8"]);
    const start = await ok(alice, "GET", `/rooms/${enc(roomId)}/messages?dir=f&limit=100`);
    expect(start.end).to.equal(undefined);
    expect((start.chunk as Event[])[0]?.type).to.equal("m.room.create");
  });

  it("delivers to-device messages until the next since acknowledges them", async () => {
    const first = await http.sync(bob.accessToken);
    await ok(alice, "PUT", `/sendToDevice/m.test/${txn()}`, {
      messages: { [bob.userId]: { [bob.deviceId]: { n: 1 } } },
    });
    const since = `since=${String(first.next_batch)}`;
    const delivered = await http.sync(bob.accessToken, since);
    expect(at(delivered, "to_device", "events")).to.deep.equal([
      { sender: alice.userId, type: "m.test", content: { n: 1 } },
    ]);
    const redelivered = await http.sync(bob.accessToken, since);
    expect(at(redelivered, "to_device", "events")).to.have.length(1);
    expect(homeserver.pendingToDeviceCount(bob.userId, bob.deviceId)).to.equal(1);
    const acknowledged = await http.sync(
      bob.accessToken,
      `since=${String(redelivered.next_batch)}&timeout=0`,
    );
    expect(at(acknowledged, "to_device", "events")).to.deep.equal([]);
    expect(homeserver.pendingToDeviceCount(bob.userId, bob.deviceId)).to.equal(0);
  });

  it("wakes a long-poll when something arrives", async () => {
    const roomId = await roomWith("shared");
    const first = await http.sync(alice.accessToken);
    const started = Date.now();
    const polling = http.sync(alice.accessToken, `since=${String(first.next_batch)}&timeout=20000`);
    await send(alice, roomId, "wake up");
    const woke = await polling;
    expect(Date.now() - started).to.be.lessThan(10_000);
    expect(bodies(timeline(woke, roomId))).to.deep.equal(["wake up"]);
    const empty = await http.sync(alice.accessToken, `since=${String(woke.next_batch)}&timeout=50`);
    expect(at(empty, "rooms", "join")).to.deep.equal({});
  });

  it("reports device-list changes to users who share a room, and left when they stop", async () => {
    const roomId = await roomWith("shared");
    await ok(alice, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
    const before = await http.sync(alice.accessToken);
    await ok(bob, "POST", `/join/${enc(roomId)}`);
    const joined = await http.sync(alice.accessToken, `since=${String(before.next_batch)}`);
    expect(at(joined, "device_lists", "changed")).to.include(bob.userId);

    await ok(bob, "POST", "/keys/upload", {
      device_keys: {
        user_id: bob.userId,
        device_id: bob.deviceId,
        algorithms: ["m.megolm.v1.aes-sha2"],
        keys: { [`ed25519:${bob.deviceId}`]: "k" },
        signatures: {},
      },
      one_time_keys: {
        "signed_curve25519:AAAA": { key: "a" },
        "signed_curve25519:AAAB": { key: "b" },
      },
      fallback_keys: { "signed_curve25519:FFFF": { key: "f", fallback: true } },
    });
    const uploaded = await http.sync(alice.accessToken, `since=${String(joined.next_batch)}`);
    expect(at(uploaded, "device_lists", "changed")).to.deep.equal([bob.userId]);
    const bobSync = await http.sync(bob.accessToken);
    expect(bobSync.device_one_time_keys_count).to.deep.equal({ signed_curve25519: 2 });
    expect(bobSync.device_unused_fallback_key_types).to.deep.equal(["signed_curve25519"]);

    const claim = { one_time_keys: { [bob.userId]: { [bob.deviceId]: "signed_curve25519" } } };
    for (let i = 0; i < 3; i++) await ok(alice, "POST", "/keys/claim", claim);
    const drained = await http.sync(bob.accessToken);
    expect(drained.device_one_time_keys_count).to.deep.equal({ signed_curve25519: 0 });
    expect(drained.device_unused_fallback_key_types).to.deep.equal([]);

    await ok(bob, "POST", `/rooms/${enc(roomId)}/leave`);
    const left = await http.sync(alice.accessToken, `since=${String(uploaded.next_batch)}`);
    expect(at(left, "device_lists", "left")).to.deep.equal([bob.userId]);
    const changes = await ok(
      alice,
      "GET",
      `/keys/changes?from=${String(before.next_batch)}&to=${String(joined.next_batch)}`,
    );
    expect(changes.changed).to.include(bob.userId);
  });

  it("asks for the password before replacing cross-signing keys", async () => {
    const key = (name: string) => ({
      user_id: alice.userId,
      usage: ["master"],
      keys: { [`ed25519:${name}`]: name },
    });
    await ok(alice, "POST", "/keys/device_signing/upload", { master_key: key("first") });
    const challenge = await http.call("POST", "/keys/device_signing/upload", alice.accessToken, {
      master_key: key("second"),
    });
    expect(challenge.status).to.equal(401);
    expect(challenge.json.flows).to.deep.equal([{ stages: ["m.login.password"] }]);
    await ok(alice, "POST", "/keys/device_signing/upload", {
      master_key: key("second"),
      auth: {
        type: "m.login.password",
        identifier: { type: "m.id.user", user: alice.userId },
        password: alice.password,
        session: challenge.json.session,
      },
    });
    const query = await ok(alice, "POST", "/keys/query", { device_keys: { [alice.userId]: [] } });
    expect(at(query, "master_keys", alice.userId, "keys")).to.deep.equal({
      "ed25519:second": "second",
    });
  });

  it("carries receipts, typing and room account data in sync", async () => {
    const roomId = await roomWith("shared");
    const eventId = await send(alice, roomId, "read me");
    const first = await http.sync(alice.accessToken);
    await ok(alice, "POST", `/rooms/${enc(roomId)}/receipt/m.read/${enc(eventId)}`);
    await ok(alice, "PUT", `/rooms/${enc(roomId)}/typing/${enc(alice.userId)}`, {
      typing: true,
      timeout: 10_000,
    });
    await ok(alice, "PUT", `/user/${enc(alice.userId)}/rooms/${enc(roomId)}/account_data/m.tag`, {
      tags: { work: {} },
    });
    const next = await http.sync(alice.accessToken, `since=${String(first.next_batch)}`);
    const ephemeral = at(next, "rooms", "join", roomId, "ephemeral", "events") as Event[];
    expect(ephemeral.find((e) => e.type === "m.typing")?.content).to.deep.equal({
      user_ids: [alice.userId],
    });
    const receipt = ephemeral.find((e) => e.type === "m.receipt")?.content;
    expect(at(receipt, eventId, "m.read", alice.userId, "ts")).to.be.a("number");
    expect(at(next, "rooms", "join", roomId, "account_data", "events")).to.deep.equal([
      { type: "m.tag", content: { tags: { work: {} } } },
    ]);
  });
});
