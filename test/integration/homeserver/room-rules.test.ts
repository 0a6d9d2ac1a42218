import { expect } from "chai";
import { TestHomeserver, type RegisteredUser } from "../../support/homeserver/index.js";
import { enc, MatrixHttp, txn } from "./matrix-http.js";

describe("test homeserver membership and power-level rules", () => {
  let homeserver: TestHomeserver;
  let http: MatrixHttp;
  let owner: RegisteredUser;
  let moderator: RegisteredUser;
  let member: RegisteredUser;
  let stranger: RegisteredUser;

  const call = (who: RegisteredUser, method: string, path: string, body?: unknown) =>
    http.call(method, path, who.accessToken, body ?? (method === "GET" ? undefined : {}));
  const ok = (who: RegisteredUser, method: string, path: string, body?: unknown) =>
    http.ok(method, path, who.accessToken, body ?? (method === "GET" ? undefined : {}));
  const errcode = async (promise: ReturnType<typeof call>) => {
    const answer = await promise;
    return `${answer.status} ${String(answer.json.errcode)}`;
  };
  const send = (who: RegisteredUser, roomId: string, body: string) =>
    call(who, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/${txn()}`, {
      msgtype: "m.text",
      body,
    });

  /** An invite-only room with a moderator (50) and a plain member (0). */
  async function privateRoom(extra: Record<string, unknown> = {}): Promise<string> {
    const { room_id: roomId } = await ok(owner, "POST", "/createRoom", {
      invite: [moderator.userId, member.userId],
      power_level_content_override: {
        users: { [owner.userId]: 100, [moderator.userId]: 50 },
      },
      ...extra,
    });
    const id = String(roomId);
    await ok(moderator, "POST", `/join/${enc(id)}`);
    await ok(member, "POST", `/join/${enc(id)}`);
    return id;
  }

  beforeEach(async () => {
    homeserver = await TestHomeserver.start();
    http = new MatrixHttp(homeserver.url);
    owner = await homeserver.registerUser("owner");
    moderator = await homeserver.registerUser("moderator");
    member = await homeserver.registerUser("member");
    stranger = await homeserver.registerUser("stranger");
  });

  afterEach(async () => {
    await homeserver.stop();
  });

  it("creates rooms with the preset, initial state and overrides asked for", async () => {
    const roomId = await privateRoom({
      name: "Ops",
      initial_state: [
        {
          type: "m.room.history_visibility",
          state_key: "",
          content: { history_visibility: "joined" },
        },
      ],
    });
    const room = homeserver.room(roomId)!;
    expect(room.stateContent("m.room.join_rules")).to.deep.equal({ join_rule: "invite" });
    expect(room.stateContent("m.room.history_visibility")).to.deep.equal({
      history_visibility: "joined",
    });
    expect(room.stateContent("m.room.name")).to.deep.equal({ name: "Ops" });
    expect(room.stateContent("m.room.power_levels")?.users).to.deep.equal({
      [owner.userId]: 100,
      [moderator.userId]: 50,
    });
    expect(room.members.get(member.userId)).to.equal("join");
    const types = room.timeline.map((e) => e.type);
    expect(types.slice(0, 3)).to.deep.equal([
      "m.room.create",
      "m.room.member",
      "m.room.power_levels",
    ]);
  });

  it("lets only invited users into an invite-only room, anyone into a public one", async () => {
    const roomId = await privateRoom();
    expect(await errcode(call(stranger, "POST", `/join/${enc(roomId)}`))).to.equal(
      "403 M_FORBIDDEN",
    );
    expect(await errcode(send(stranger, roomId, "hi"))).to.equal("403 M_FORBIDDEN");
    await ok(member, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: stranger.userId });
    await ok(stranger, "POST", `/rooms/${enc(roomId)}/join`);
    expect(homeserver.room(roomId)?.membership(stranger.userId)).to.equal("join");

    const { room_id: publicId } = await ok(owner, "POST", "/createRoom", {
      preset: "public_chat",
      room_alias_name: "lobby",
    });
    await ok(stranger, "POST", `/join/${enc("#lobby:localhost")}`);
    expect(homeserver.room(String(publicId))?.membership(stranger.userId)).to.equal("join");
  });

  it("enforces kick, ban and unban levels", async () => {
    const roomId = await privateRoom();
    const r = enc(roomId);
    expect(
      await errcode(call(member, "POST", `/rooms/${r}/kick`, { user_id: moderator.userId })),
    ).to.equal("403 M_FORBIDDEN");
    expect(
      await errcode(call(moderator, "POST", `/rooms/${r}/ban`, { user_id: owner.userId })),
    ).to.equal("403 M_FORBIDDEN");
    await ok(moderator, "POST", `/rooms/${r}/ban`, { user_id: member.userId, reason: "spam" });
    expect(homeserver.room(roomId)?.membership(member.userId)).to.equal("ban");
    expect(await errcode(call(member, "POST", `/join/${r}`))).to.equal("403 M_FORBIDDEN");
    expect(
      await errcode(call(owner, "POST", `/rooms/${r}/invite`, { user_id: member.userId })),
    ).to.equal("403 M_FORBIDDEN");
    await ok(moderator, "POST", `/rooms/${r}/unban`, { user_id: member.userId });
    expect(homeserver.room(roomId)?.membership(member.userId)).to.equal("leave");
    expect(await errcode(call(member, "POST", `/join/${r}`))).to.equal("403 M_FORBIDDEN");
    await ok(owner, "POST", `/rooms/${r}/invite`, { user_id: member.userId });
    await ok(member, "POST", `/join/${r}`);
    await ok(moderator, "POST", `/rooms/${r}/kick`, { user_id: member.userId });
    expect(homeserver.room(roomId)?.membership(member.userId)).to.equal("leave");
  });

  it("checks power levels for state, messages, invites and power-level edits", async () => {
    const roomId = await privateRoom({
      power_level_content_override: {
        users: { [owner.userId]: 100, [moderator.userId]: 50 },
        events_default: 10,
        invite: 50,
      },
    });
    const r = enc(roomId);
    expect(await errcode(send(member, roomId, "hi"))).to.equal("403 M_FORBIDDEN");
    expect((await send(moderator, roomId, "hi")).status).to.equal(200);
    expect(
      await errcode(call(member, "PUT", `/rooms/${r}/state/m.room.topic/`, { topic: "x" })),
    ).to.equal("403 M_FORBIDDEN");
    await ok(moderator, "PUT", `/rooms/${r}/state/m.room.topic`, { topic: "ok" });
    expect(
      await errcode(call(member, "POST", `/rooms/${r}/invite`, { user_id: stranger.userId })),
    ).to.equal("403 M_FORBIDDEN");
    const levels = homeserver.room(roomId)!.stateContent("m.room.power_levels")!;
    const raise = { ...levels, users: { ...(levels.users as object), [moderator.userId]: 100 } };
    expect(
      await errcode(call(moderator, "PUT", `/rooms/${r}/state/m.room.power_levels/`, raise)),
    ).to.equal("403 M_FORBIDDEN");
    const demoteOwner = { ...levels, users: { [owner.userId]: 0, [moderator.userId]: 50 } };
    expect(
      await errcode(call(owner, "PUT", `/rooms/${r}/state/m.room.power_levels/`, demoteOwner)),
    ).to.equal("200 undefined");
  });

  it("lets users redact their own events and moderators anyone's, stripping content", async () => {
    const roomId = await privateRoom();
    const r = enc(roomId);
    const { event_id: ownerEvent } = (await send(owner, roomId, "owner says")).json;
    const { event_id: memberEvent } = (await send(member, roomId, "member says")).json;
    const redact = (who: RegisteredUser, eventId: unknown) =>
      call(who, "PUT", `/rooms/${r}/redact/${enc(String(eventId))}/${txn()}`, { reason: "r" });
    expect(await errcode(redact(member, ownerEvent))).to.equal("403 M_FORBIDDEN");
    expect((await redact(member, memberEvent)).status).to.equal(200);
    expect((await redact(moderator, ownerEvent)).status).to.equal(200);
    const fetched = await ok(member, "GET", `/rooms/${r}/event/${enc(String(ownerEvent))}`);
    expect(fetched.content).to.deep.equal({});
    expect((fetched.unsigned as Record<string, unknown>).redacted_because).to.include({
      type: "m.room.redaction",
      redacts: ownerEvent,
    });
  });

  it("supports leave, forget, knock and joined_members", async () => {
    const roomId = await privateRoom({
      initial_state: [
        { type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } },
      ],
    });
    const r = enc(roomId);
    await ok(stranger, "POST", `/knock/${r}`, { reason: "let me in" });
    expect(homeserver.room(roomId)?.membership(stranger.userId)).to.equal("knock");
    await ok(owner, "POST", `/rooms/${r}/invite`, { user_id: stranger.userId });
    await ok(stranger, "POST", `/join/${r}`);
    const joined = await ok(member, "GET", `/rooms/${r}/joined_members`);
    expect(Object.keys(joined.joined as object)).to.have.members([
      owner.userId,
      moderator.userId,
      member.userId,
      stranger.userId,
    ]);
    expect(await errcode(call(member, "POST", `/rooms/${r}/forget`))).to.equal("400 M_UNKNOWN");
    await ok(member, "POST", `/rooms/${r}/leave`);
    await ok(member, "POST", `/rooms/${r}/forget`);
    const rooms = await ok(member, "GET", "/joined_rooms");
    expect(rooms.joined_rooms).to.deep.equal([]);
    const sync = await http.sync(
      member.accessToken,
      "filter=" + enc('{"room":{"include_leave":true}}'),
    );
    expect(Object.keys((sync.rooms as { leave: object }).leave)).to.deep.equal([]);
  });

  it("publishes rooms in the directory", async () => {
    const roomId = await privateRoom({ name: "Findable" });
    const path = `/directory/list/room/${enc(roomId)}`;
    expect((await ok(member, "GET", path)).visibility).to.equal("private");
    expect(await errcode(call(member, "PUT", path, { visibility: "public" }))).to.equal(
      "403 M_FORBIDDEN",
    );
    await ok(owner, "PUT", path, { visibility: "public" });
    const listed = await ok(stranger, "POST", "/publicRooms", {
      filter: { generic_search_term: "find" },
    });
    expect((listed.chunk as { room_id: string }[]).map((c) => c.room_id)).to.deep.equal([roomId]);
  });

  it("refuses an event over 64 KiB as Synapse does, keeping the room as it was", async () => {
    const roomId = await privateRoom();
    const before = homeserver.room(roomId)!.timeline.length;
    // A body of 60,000 bytes fits; of 66,000 it does not; 22,000 three-byte characters
    // (66,000 bytes in UTF-8, 22,000 in UTF-16) do not either: the limit counts bytes.
    expect((await send(member, roomId, "a".repeat(60_000))).status).to.equal(200);
    expect(await errcode(send(member, roomId, "a".repeat(66_000)))).to.equal("413 M_TOO_LARGE");
    expect(await errcode(send(member, roomId, "€".repeat(22_000)))).to.equal("413 M_TOO_LARGE");
    const state = `/rooms/${enc(roomId)}/state/m.room.topic/`;
    expect(await errcode(call(owner, "PUT", state, { topic: "t".repeat(70_000) }))).to.equal(
      "413 M_TOO_LARGE",
    );
    const longType = `/rooms/${enc(roomId)}/send/${"x".repeat(256)}/${txn()}`;
    expect(await errcode(call(member, "PUT", longType, {}))).to.equal("413 M_TOO_LARGE");
    expect(homeserver.room(roomId)!.timeline.length).to.equal(before + 1);
  });
});
