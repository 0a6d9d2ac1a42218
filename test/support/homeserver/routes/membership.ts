import { MatrixError, forbidden, notFound } from "../errors.js";
import { optString, reqString, type JsonObject } from "../json.js";
import { createRoom } from "../room-creation.js";
import { changeMembership } from "../room-writer.js";
import { authed, json, type AuthedContext, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { Room } from "../state/room.js";

const V3 = "/_matrix/client/v3";

/** Room creation and every membership transition a client can ask for. */
export function membershipRoutes(hs: HomeserverState): Route[] {
  const resolve = (roomIdOrAlias: string): Room => {
    const roomId = roomIdOrAlias.startsWith("#") ? hs.aliases.get(roomIdOrAlias) : roomIdOrAlias;
    const room = roomId === undefined ? undefined : hs.rooms.get(roomId);
    if (room === undefined) throw notFound("No known room with that ID or alias");
    return room;
  };
  const reason = (body: JsonObject): JsonObject => {
    const text = optString(body, "reason");
    return text === undefined ? {} : { reason: text };
  };
  const join = ({ params, body, requester }: AuthedContext) => {
    const room = resolve(params.roomIdOrAlias ?? params.roomId ?? "");
    if (room.membership(requester.userId) !== "join") {
      changeMembership(hs, room, requester.userId, requester.userId, "join", reason(body));
    }
    return json({ room_id: room.roomId });
  };
  const actOn =
    (membership: string, check?: (room: Room, target: string) => void) =>
    ({ params, body, requester }: AuthedContext) => {
      const room = hs.room(params.roomId ?? "");
      const target = reqString(body, "user_id");
      check?.(room, target);
      changeMembership(hs, room, requester.userId, target, membership, reason(body));
      return json({});
    };
  return [
    authed("POST", `${V3}/createRoom`, ({ body, requester }) =>
      json({ room_id: createRoom(hs, requester.userId, body).roomId }),
    ),
    authed("POST", `${V3}/join/:roomIdOrAlias`, join),
    authed("POST", `${V3}/rooms/:roomId/join`, join),
    authed("POST", `${V3}/knock/:roomIdOrAlias`, ({ params, body, requester }) => {
      const room = resolve(params.roomIdOrAlias ?? "");
      changeMembership(hs, room, requester.userId, requester.userId, "knock", reason(body));
      return json({ room_id: room.roomId });
    }),
    authed(
      "POST",
      `${V3}/rooms/:roomId/invite`,
      actOn("invite", (_room, target) => {
        if (hs.accounts.get(target) === undefined) throw notFound(`Unknown user ${target}`);
      }),
    ),
    authed("POST", `${V3}/rooms/:roomId/kick`, actOn("leave")),
    authed("POST", `${V3}/rooms/:roomId/ban`, actOn("ban")),
    authed(
      "POST",
      `${V3}/rooms/:roomId/unban`,
      actOn("leave", (room, target) => {
        if (room.membership(target) !== "ban") throw forbidden(`${target} is not banned`);
      }),
    ),
    authed("POST", `${V3}/rooms/:roomId/leave`, ({ params, body, requester }) => {
      const room = hs.room(params.roomId ?? "");
      changeMembership(hs, room, requester.userId, requester.userId, "leave", reason(body));
      return json({});
    }),
    authed("POST", `${V3}/rooms/:roomId/forget`, ({ params, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const membership = room.membership(requester.userId);
      if (membership === "join" || membership === "invite" || membership === "knock") {
        throw new MatrixError(400, "M_UNKNOWN", "User is in the room");
      }
      room.forgotten.add(requester.userId);
      return json({});
    }),
    authed("GET", `${V3}/joined_rooms`, ({ requester }) =>
      json({
        joined_rooms: [...hs.rooms.values()]
          .filter((room) => room.membership(requester.userId) === "join")
          .map((room) => room.roomId),
      }),
    ),
  ];
}
