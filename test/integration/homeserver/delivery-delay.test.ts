import { expect } from "chai";
import fc from "fast-check";
import { TestHomeserver, type RegisteredUser } from "../../support/homeserver/index.js";
import { at, enc, MatrixHttp, txn } from "./matrix-http.js";

interface Event {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
}

const NO_LIMIT = `filter=${enc(JSON.stringify({ room: { timeline: { limit: 10_000 } } }))}`;

describe("test homeserver delivery delay", () => {
  let homeserver: TestHomeserver | undefined;
  let http: MatrixHttp;

  async function start(deliveryDelayMs: number, ...localparts: string[]) {
    homeserver = await TestHomeserver.start({ deliveryDelayMs });
    http = new MatrixHttp(homeserver.url);
    const users: RegisteredUser[] = [];
    for (const localpart of localparts) users.push(await homeserver.registerUser(localpart));
    return users;
  }

  const ok = (who: RegisteredUser, method: string, path: string, body?: unknown) =>
    http.ok(method, path, who.accessToken, body ?? (method === "GET" ? undefined : {}));
  const send = async (who: RegisteredUser, roomId: string, body: string) =>
    String(
      (
        await ok(who, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${txn()}`, {
          msgtype: "m.text",
          body,
        })
      ).event_id,
    );
  const sync = (who: RegisteredUser, since?: unknown, extra = "") =>
    http.sync(
      who.accessToken,
      [NO_LIMIT, since === undefined ? "" : `since=${since as string}`, extra]
        .filter((part) => part !== "")
        .join("&"),
    );
  const timeline = (response: unknown, roomId: string): Event[] =>
    (at(response, "rooms", "join", roomId, "timeline", "events") as Event[] | undefined) ?? [];
  const messageIds = (response: unknown, roomId: string): string[] =>
    timeline(response, roomId)
      .filter((e) => e.type === "m.room.message")
      .map((e) => e.event_id);

  /** A room `alice` made and `others` joined, once every join reached everyone's sync. */
  async function sharedRoom(alice: RegisteredUser, others: RegisteredUser[]): Promise<string> {
    const { room_id: created } = await ok(alice, "POST", "/createRoom", {
      preset: "public_chat",
    });
    const roomId = String(created);
    for (const other of others) await ok(other, "POST", `/join/${enc(roomId)}`);
    return roomId;
  }

  /** Syncs (long-polling) until `done` holds of the accumulated responses; returns them. */
  async function syncUntil(
    who: RegisteredUser,
    since: unknown,
    done: (responses: Record<string, unknown>[]) => boolean,
  ): Promise<Record<string, unknown>[]> {
    const responses: Record<string, unknown>[] = [];
    let token = since;
    while (!done(responses)) {
      const response = await sync(who, token, "timeout=10000");
      responses.push(response);
      token = response.next_batch;
    }
    return responses;
  }

  /** Waits out the delay, so that everything sent so far reached every sync. */
  const matured = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));

  afterEach(async () => {
    await homeserver?.stop();
    homeserver = undefined;
  });

  it("shows another user's message only after the delay, the sender's own devices at once", async () => {
    const delay = 1000;
    const [alice, bob] = await start(delay, "alice", "bob");
    if (alice === undefined || bob === undefined) throw new Error("no users");
    const roomId = await sharedRoom(alice, [bob]);
    const aliceOther = await ok(alice, "POST", "/login", {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: "alice" },
      password: alice.password,
    });
    const aliceSecond = { ...alice, accessToken: String(aliceOther.access_token) };
    const bobBefore = await syncUntil(bob, undefined, (r) =>
      r.some((s) => at(s, "rooms", "join", roomId) !== undefined),
    );
    // Let the joins mature: alice's own message would otherwise wait behind bob's join.
    await matured(delay);
    const bobToken = (await sync(bob, bobBefore.at(-1)?.next_batch)).next_batch;

    const sentAt = performance.now();
    const eventId = await send(alice, roomId, "hello");
    expect(messageIds(await sync(alice), roomId)).to.deep.equal([eventId]);
    expect(messageIds(await sync(aliceSecond), roomId)).to.deep.equal([eventId]);
    const early = await sync(bob, bobToken);
    const earlyAt = performance.now();
    expect(messageIds(early, roomId)).to.deep.equal([]);
    expect(at(early, "next_batch")).to.equal(bobToken);
    // The room's other read endpoints stay immediate, as on one Synapse.
    const messages = await ok(bob, "GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=1`);
    expect((messages.chunk as Event[]).map((e) => e.event_id)).to.deep.equal([eventId]);
    expect(earlyAt - sentAt).to.be.lessThan(delay);

    const late = await syncUntil(bob, bobToken, (r) =>
      r.some((s) => messageIds(s, roomId).length > 0),
    );
    expect(performance.now() - sentAt).to.be.at.least(delay);
    expect(late.flatMap((s) => messageIds(s, roomId))).to.deep.equal([eventId]);
  });

  it("wakes a long-poll when a held event matures, without another change", async () => {
    const delay = 300;
    const [alice, bob] = await start(delay, "alice", "bob");
    if (alice === undefined || bob === undefined) throw new Error("no users");
    const roomId = await sharedRoom(alice, [bob]);
    const caughtUp = await syncUntil(bob, undefined, (r) =>
      r.some((s) => at(s, "rooms", "join", roomId) !== undefined),
    );
    // Let everything so far mature, so that the poll waits on the message alone.
    await matured(delay);
    const settled = await sync(bob, caughtUp.at(-1)?.next_batch);
    const started = performance.now();
    const polling = sync(bob, settled.next_batch, "timeout=20000");
    const eventId = await send(alice, roomId, "wake up at maturity");
    const woke = await polling;
    const elapsed = performance.now() - started;
    expect(messageIds(woke, roomId)).to.deep.equal([eventId]);
    expect(elapsed).to.be.at.least(delay);
    expect(elapsed).to.be.lessThan(delay + 5000);
  });

  it("holds to-device messages and device-list changes back as well", async () => {
    const delay = 1000;
    const [alice, bob] = await start(delay, "alice", "bob");
    if (alice === undefined || bob === undefined) throw new Error("no users");
    const roomId = await sharedRoom(alice, [bob]);
    const bobNow = await syncUntil(bob, undefined, (r) =>
      r.some((s) => at(s, "rooms", "join", roomId) !== undefined),
    );
    const since = bobNow.at(-1)?.next_batch;
    await matured(delay);
    const bobSettled = await sync(bob, since);
    const sentAt = performance.now();
    await ok(alice, "PUT", `/sendToDevice/m.test/${txn()}`, {
      messages: { [bob.userId]: { [bob.deviceId]: { secret: 1 } } },
    });
    await ok(alice, "POST", "/keys/upload", {
      device_keys: {
        user_id: alice.userId,
        device_id: alice.deviceId,
        algorithms: ["m.megolm.v1.aes-sha2"],
        keys: { [`ed25519:${alice.deviceId}`]: "k" },
        signatures: {},
      },
    });
    const early = await sync(bob, bobSettled.next_batch);
    expect(performance.now() - sentAt).to.be.lessThan(delay);
    expect(at(early, "to_device", "events")).to.deep.equal([]);
    expect(at(early, "device_lists", "changed")).to.deep.equal([]);

    const late = await syncUntil(bob, bobSettled.next_batch, (r) =>
      r.some((s) => (at(s, "device_lists", "changed") as string[]).length > 0),
    );
    expect(performance.now() - sentAt).to.be.at.least(delay);
    const toDevice = late.flatMap((s) => at(s, "to_device", "events") as Event[]);
    expect(toDevice.map((e) => e.content)).to.deep.equal([{ secret: 1 }]);
    expect(late.flatMap((s) => at(s, "device_lists", "changed") as string[])).to.deep.equal([
      alice.userId,
    ]);
  });

  it("holds a user's own event back while another user's earlier one is held, keeping order", async () => {
    const delay = 1000;
    const [alice, bob] = await start(delay, "alice", "bob");
    if (alice === undefined || bob === undefined) throw new Error("no users");
    const roomId = await sharedRoom(alice, [bob]);
    const bobNow = await syncUntil(bob, undefined, (r) =>
      r.some((s) => at(s, "rooms", "join", roomId) !== undefined),
    );
    const since = bobNow.at(-1)?.next_batch;
    // Bob's join reaches Alice only after the delay, and her own events behind it wait with it:
    // the test starts once she has it (else, on a slow machine, her message is held too).
    await syncUntil(alice, undefined, (r) =>
      r.some((s) => JSON.stringify(at(s, "rooms", "join", roomId) ?? {}).includes(bob.userId)),
    );
    const fromAlice = await send(alice, roomId, "first, from alice");
    const fromBob = await send(bob, roomId, "second, from bob");
    expect(messageIds(await sync(bob, since), roomId)).to.deep.equal([]);
    expect(messageIds(await sync(alice, undefined), roomId)).to.deep.equal([fromAlice]);
    const late = await syncUntil(bob, since, (r) =>
      r.some((s) => messageIds(s, roomId).length > 0),
    );
    expect(late.flatMap((s) => messageIds(s, roomId))).to.deep.equal([fromAlice, fromBob]);
  });

  it("gives every user every event once, in stream order, never before the delay (property)", async function () {
    this.timeout(120_000);
    const delay = 40;
    const names = ["alice", "bob", "carol"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            sender: fc.integer({ min: 0, max: names.length - 1 }),
            together: fc.boolean(),
            pauseMs: fc.integer({ min: 0, max: 60 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (sends) => {
          const users = await start(delay, ...names);
          try {
            const [first, ...rest] = users;
            if (first === undefined) throw new Error("no users");
            const roomId = await sharedRoom(first, rest);
            // Every user syncs in a loop from before the first message, recording when each
            // message reached them and checking that no sync goes back in the stream.
            const sentAt = new Map<string, { sender: string; at: number }>();
            const seen = users.map(() => [] as { eventId: string; at: number }[]);
            const joined = await Promise.all(
              users.map((u) =>
                syncUntil(u, undefined, (r) =>
                  r.some((s) => at(s, "rooms", "join", roomId) !== undefined),
                ),
              ),
            );
            const expected = sends.length;
            const loops = users.map(async (u, i) => {
              let token = joined[i]?.at(-1)?.next_batch;
              const mine = seen[i] ?? [];
              while (mine.length < expected) {
                const response = await sync(u, token, "timeout=10000");
                const next = Number(String(response.next_batch).slice(1));
                expect(next).to.be.at.least(Number(String(token).slice(1)));
                token = response.next_batch;
                const now = performance.now();
                for (const eventId of messageIds(response, roomId)) mine.push({ eventId, at: now });
              }
            });
            let batch: Promise<void>[] = [];
            let n = 0;
            for (const step of sends) {
              const sender = users[step.sender];
              if (sender === undefined) throw new Error("no sender");
              if (!step.together) {
                await Promise.all(batch);
                batch = [];
                await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
              }
              n += 1;
              const startedAt = performance.now();
              batch.push(
                send(sender, roomId, `message ${n}`).then((eventId) => {
                  sentAt.set(eventId, { sender: sender.userId, at: startedAt });
                }),
              );
            }
            await Promise.all(batch);
            await Promise.all(loops);

            const order = (homeserver?.room(roomId)?.timeline ?? [])
              .filter((e) => e.type === "m.room.message")
              .map((e) => String(e.event_id));
            expect(order).to.have.length(expected);
            users.forEach((u, i) => {
              const mine = seen[i] ?? [];
              expect(mine.map((s) => s.eventId)).to.deep.equal(order);
              for (const { eventId, at: arrived } of mine) {
                const sent = sentAt.get(eventId);
                if (sent === undefined) throw new Error(`unknown event ${eventId}`);
                if (sent.sender !== u.userId) {
                  expect(arrived - sent.at).to.be.at.least(delay);
                }
              }
            });
          } finally {
            await homeserver?.stop();
            homeserver = undefined;
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
