import { expect } from "chai";
import { EventEmitter } from "node:events";
import { ClientEvent, RoomEvent, type MatrixClient, type Room } from "matrix-js-sdk";
import { Invites } from "../../../src/bot/invites.js";
import { testDirectory } from "../../support/chat/fake-context.js";

const BOT = "@dsx:example.org";
const STRANGER = "@olga:elsewhere.example";
const GREEN = "!green:example.org";

/** A room as the invite logic reads it: who invited the bot, and who is a member. */
function room(roomId: string, members: Record<string, string>, inviter?: string): Room {
  return {
    roomId,
    getMyMembership: () => members[BOT] ?? "leave",
    getMember: (userId: string) =>
      members[userId] === undefined
        ? null
        : {
            membership: members[userId],
            events: { member: { getSender: () => inviter ?? userId } },
          },
  } as unknown as Room;
}

describe("invitations", () => {
  it("are decided once the bot's rooms are joined, by who the homeserver says is in them", async () => {
    const client = new EventEmitter() as EventEmitter & Record<string, unknown>;
    /** What the homeserver says: the stranger is in GREEN, whatever the client holds yet. */
    const onServer: Record<string, string[]> = { [GREEN]: [BOT, STRANGER] };
    const rooms = new Map<string, Room>([[GREEN, room(GREEN, { [BOT]: "join" })]]);
    const joined: string[] = [];
    const refused: string[] = [];
    Object.assign(client, {
      getSafeUserId: () => BOT,
      getRoom: (roomId: string) => rooms.get(roomId) ?? null,
      getRooms: () => [...rooms.values()],
      getJoinedRoomMembers: (roomId: string) =>
        Promise.resolve({
          joined: Object.fromEntries((onServer[roomId] ?? []).map((u) => [u, {}])),
        }),
      joinRoom: (roomId: string) => {
        joined.push(roomId);
        return Promise.resolve();
      },
      http: {
        authedRequest: (_method: string, path: string) => {
          refused.push(decodeURIComponent(path.split("/")[2] ?? ""));
          return Promise.resolve({});
        },
      },
    });
    const log = { info: () => undefined, warn: () => undefined } as never;
    const invites = new Invites(
      client as unknown as MatrixClient,
      testDirectory,
      () => [GREEN],
      log,
    );
    invites.attach();
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const invite = (roomId: string, from: string) => {
      const dm = room(roomId, { [BOT]: "invite", [from]: "join" }, from);
      rooms.set(roomId, dm);
      client.emit(RoomEvent.MyMembership, dm, "invite");
      client.emit(ClientEvent.Sync, "SYNCING", "SYNCING");
    };
    invite("!early:elsewhere.example", STRANGER);
    await settle();
    expect(joined, "not decided while the bot is starting").to.deep.equal([]);
    await invites.answerPending();
    expect(joined).to.deep.equal(["!early:elsewhere.example"]);
    invite("!later:elsewhere.example", STRANGER);
    invite("!nobody:elsewhere.example", "@nobody:elsewhere.example");
    await settle();
    expect(joined).to.deep.equal(["!early:elsewhere.example", "!later:elsewhere.example"]);
    expect(refused).to.deep.equal(["!nobody:elsewhere.example"]);
  });
});
