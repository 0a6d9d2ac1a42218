import { expect } from "chai";
import { EventEmitter } from "node:events";
import { ClientEvent, RoomStateEvent, type MatrixClient, type Room } from "matrix-js-sdk";
import { RoomMaker } from "../../../src/matrix/rooms.js";

const BOT = "@dsx:example.org";
const CASE = "INC-2026-0001";
const MADE = "!made-before-the-crash:example.org";

/** A ticket room as the client knows it through sync: joined, with the bot's marker. */
function ticketRoom(roomId: string, caseId: string, markerSender = BOT): Room {
  const marker = { getSender: () => markerSender, getContent: () => ({ case: caseId }) };
  return {
    roomId,
    getMyMembership: () => "join",
    getMember: () => null,
    getLiveTimeline: () => ({
      getState: () => ({
        getStateEvents: (type: string) => (type === "org.dsx.ticket" ? marker : null),
      }),
    }),
  } as unknown as Room;
}

/** A client whose rooms the test controls, counting the rooms it is asked to create. */
function fakeClient(options: {
  known: Room[];
  joinedOnServer: string[];
  /** What the sync brings while `/joined_rooms` is asked. */
  arrivesMeanwhile?: Room;
  serverState?: Record<string, unknown[]>;
}) {
  const client = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const rooms = new Map(options.known.map((room) => [room.roomId, room]));
  const created: string[] = [];
  const invited: string[] = [];
  /** Who the sync has shown invited (in every room: the tests make one at a time). */
  const members = new Map<string, string>();
  let inviteSynced = false;
  Object.assign(client, {
    getSafeUserId: () => BOT,
    getRooms: () => [...rooms.values()],
    getRoom: (roomId: string) => {
      const room = rooms.get(roomId);
      if (room === undefined) return null;
      // The memberships the sync has brought, over those the room was made with.
      const getMember = (userId: string) => {
        const membership = members.get(userId);
        return membership === undefined ? room.getMember(userId) : { membership };
      };
      return Object.assign(Object.create(room) as Room, { getMember });
    },
    getJoinedRooms: () => {
      const meanwhile = options.arrivesMeanwhile;
      if (meanwhile) rooms.set(meanwhile.roomId, meanwhile);
      return Promise.resolve({ joined_rooms: options.joinedOnServer });
    },
    roomState: (roomId: string) => {
      const state = options.serverState?.[roomId];
      if (!state) return Promise.reject(new Error(`no state for ${roomId}`));
      // The room comes through the sync soon after the server was asked.
      setImmediate(() => {
        rooms.set(roomId, ticketRoom(roomId, CASE));
        client.emit(ClientEvent.Room);
      });
      return Promise.resolve(state);
    },
    createRoom: () => {
      const roomId = `!new-${created.length + 1}:example.org`;
      created.push(roomId);
      rooms.set(roomId, ticketRoom(roomId, CASE));
      return Promise.resolve({ room_id: roomId });
    },
    invite: (_roomId: string, userId: string) => {
      invited.push(userId);
      // The invite comes through the sync a moment after the server answered (as on Synapse).
      setImmediate(() => {
        members.set(userId, "invite");
        inviteSynced = true;
        client.emit(RoomStateEvent.Members);
      });
      return Promise.resolve({});
    },
  });
  const log = { info: () => undefined, warn: () => undefined } as never;
  const maker = new RoomMaker(client as unknown as MatrixClient, () => false, log);
  return { maker, created, invited, inviteSynced: () => inviteSynced };
}

describe("case rooms after a crash", () => {
  it("takes the room the sync brings while the server is asked, and makes none", async () => {
    const { maker, created, invited } = fakeClient({
      known: [],
      joinedOnServer: [MADE],
      arrivesMeanwhile: ticketRoom(MADE, CASE),
    });
    expect(await maker.caseRoom("ticket", CASE, ["@maria:example.org"])).to.equal(MADE);
    expect(created).to.deep.equal([]);
    expect(invited).to.deep.equal(["@maria:example.org"]);
  });

  it("finds a room only the server knows by the bot's marker, and waits for it to sync", async () => {
    const { maker, created } = fakeClient({
      known: [],
      joinedOnServer: ["!other:example.org", MADE],
      serverState: {
        "!other:example.org": [
          {
            type: "org.dsx.ticket",
            state_key: "",
            sender: "@mallory:example.org",
            content: { case: CASE },
          },
        ],
        [MADE]: [{ type: "org.dsx.ticket", state_key: "", sender: BOT, content: { case: CASE } }],
      },
    });
    expect(await maker.caseRoom("ticket", CASE, [])).to.equal(MADE);
    expect(created).to.deep.equal([]);
  });

  it("makes a room when neither the client nor the server has one, and never a room marked by someone else", async () => {
    const { maker, created } = fakeClient({
      known: [
        ticketRoom("!forged:example.org", CASE, "@mallory:example.org"),
        ticketRoom("!another-case:example.org", "INC-2026-0002"),
      ],
      joinedOnServer: ["!forged:example.org", "!another-case:example.org"],
    });
    expect(await maker.caseRoom("ticket", CASE, [])).to.equal("!new-1:example.org");
    expect(await maker.caseRoom("ticket", CASE, [])).to.equal("!new-1:example.org");
    expect(created).to.deep.equal(["!new-1:example.org"]);
  });

  it("returns from an invite only once the sync has brought it (the first message's keys need it)", async () => {
    const { maker, invited, inviteSynced } = fakeClient({ known: [], joinedOnServer: [] });
    await maker.caseRoom("ticket", CASE, ["@maria:example.org"]);
    expect(invited).to.deep.equal(["@maria:example.org"]);
    expect(inviteSynced()).to.equal(true);
  });
});
