import { expect } from "chai";
import { createE2eeClient, type E2eeTestClient } from "../../support/clients/index.js";
import { TestHomeserver } from "../../support/homeserver/index.js";

describe("test homeserver with matrix-js-sdk and Rust crypto", function () {
  this.timeout(60_000);
  let homeserver: TestHomeserver;
  const clients: E2eeTestClient[] = [];
  const client = async (
    localpart: string,
    options?: Parameters<typeof createE2eeClient>[2],
  ): Promise<E2eeTestClient> => {
    const made = await createE2eeClient(homeserver, localpart, options);
    clients.push(made);
    return made;
  };

  beforeEach(async () => {
    homeserver = await TestHomeserver.start();
  });

  afterEach(async () => {
    for (const made of clients.splice(0)) made.stop();
    await homeserver.stop();
  });

  it("lets two clients exchange encrypted messages and decrypt them", async () => {
    const alice = await client("alice");
    const bob = await client("bob");
    const roomId = await alice.createEncryptedRoom({ invite: [bob.userId] });
    await bob.waitForMembership(roomId, "invite");
    await bob.joinRoom(roomId);
    await alice.waitForMemberState(roomId, bob.userId, "join");

    await alice.sendText(roomId, "hello bob");
    const received = await bob.waitForMessage(roomId, "hello bob");
    expect(received.isEncrypted()).to.equal(true);
    expect(received.getSender()).to.equal(alice.userId);

    await bob.sendText(roomId, "hello alice");
    await alice.waitForMessage(roomId, "hello alice");

    const stored = homeserver.room(roomId)?.timeline.filter((e) => e.type === "m.room.encrypted");
    expect(stored).to.have.length(2);
    expect(JSON.stringify(stored)).not.to.contain("hello");
  });

  it("keeps earlier messages of a joined-visibility room from a user who joins later", async () => {
    const alice = await client("alice");
    const bob = await client("bob");
    const roomId = await alice.createEncryptedRoom({
      invite: [bob.userId],
      historyVisibility: "joined",
    });
    await bob.joinRoom(roomId);
    await alice.waitForMemberState(roomId, bob.userId, "join");
    const secretId = await alice.sendText(roomId, "before carol");
    await bob.waitForMessage(roomId, "before carol");

    const carol = await client("carol");
    await alice.invite(roomId, carol.userId);
    await carol.waitForMembership(roomId, "invite");
    await carol.joinRoom(roomId);
    await alice.waitForMemberState(roomId, carol.userId, "join");
    await alice.sendText(roomId, "after carol");
    await carol.waitForMessage(roomId, "after carol");

    const carolSees = carol.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
    expect(carolSees.map((e) => e.getId())).not.to.include(secretId);
    const messages = await carol.client.createMessagesRequest(roomId, null, 50, "b" as never);
    expect(messages.chunk.map((e) => e.event_id)).not.to.include(secretId);
    let fetchError: unknown;
    try {
      await carol.fetchEvent(roomId, secretId);
    } catch (error) {
      fetchError = error;
    }
    expect(fetchError).to.have.property("errcode", "M_NOT_FOUND");
  });

  it("gives a new device of a user the keys for new messages only", async () => {
    const alice = await client("alice");
    const bob = await client("bob");
    const roomId = await alice.createEncryptedRoom({ invite: [bob.userId] });
    await bob.joinRoom(roomId);
    await alice.waitForMemberState(roomId, bob.userId, "join");
    const oldId = await alice.sendText(roomId, "old news");
    await bob.waitForMessage(roomId, "old news");

    const bobPhone = await client("bob", { login: true });
    expect(bobPhone.deviceId).not.to.equal(bob.deviceId);
    await alice.waitForDevice(bob.userId, bobPhone.deviceId);
    await alice.sendText(roomId, "fresh news");
    await bobPhone.waitForMessage(roomId, "fresh news");
    await bob.waitForMessage(roomId, "fresh news");

    const old = await bobPhone.fetchEvent(roomId, oldId);
    expect(old.isDecryptionFailure()).to.equal(true);
  });

  it("carries custom encrypted events, and clients carry on after a restart", async () => {
    const alice = await client("alice");
    const bob = await client("bob");
    const roomId = await alice.createEncryptedRoom({ invite: [bob.userId] });
    await bob.joinRoom(roomId);
    await alice.waitForMemberState(roomId, bob.userId, "join");
    await alice.sendEvent(roomId, "org.example.report", { severity: "high" });
    const custom = await bob.waitForEvent(roomId, (e) => e.getType() === "org.example.report");
    expect(custom.isEncrypted()).to.equal(true);
    expect(custom.getContent()).to.deep.equal({ severity: "high" });

    const synced = Promise.all([alice.waitForNextSync(30_000), bob.waitForNextSync(30_000)]);
    await homeserver.restart();
    await synced;
    await alice.sendText(roomId, "after the restart");
    await bob.waitForMessage(roomId, "after the restart", 30_000);
  });
});
