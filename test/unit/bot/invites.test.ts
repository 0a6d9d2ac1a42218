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
  it("waits for the whole sync response: a stranger who joined a DSX room in it is let in", async () => {
    const client = new EventEmitter() as EventEmitter & Record<string, unknown>;
    const rooms = new Map<string, Room>([[GREEN, room(GREEN, { [BOT]: "join" })]]);
    const joined: string[] = [];
    Object.assign(client, {
      getSafeUserId: () => BOT,
      getRoom: (roomId: string) => rooms.get(roomId) ?? null,
      joinRoom: (roomId: string) => {
        joined.push(roomId);
        return Promise.resolve();
      },
      http: { authedRequest: () => Promise.reject(new Error("refused")) },
    });
    const log = { info: () => undefined, warn: () => undefined } as never;
    const invites = new Invites(
      client as unknown as MatrixClient,
      testDirectory,
      () => [GREEN],
      log,
    );
    invites.attach();
    // One sync response: the invite is processed first, the stranger's join in GREEN after.
    const dm = room("!dm:elsewhere.example", { [BOT]: "invite", [STRANGER]: "join" }, STRANGER);
    client.emit(RoomEvent.MyMembership, dm, "invite");
    rooms.set(GREEN, room(GREEN, { [BOT]: "join", [STRANGER]: "join" }));
    expect(joined, "not answered before the response is all in").to.deep.equal([]);
    client.emit(ClientEvent.Sync, "SYNCING", "SYNCING");
    await new Promise((resolve) => setImmediate(resolve));
    expect(joined).to.deep.equal(["!dm:elsewhere.example"]);
  });
});
