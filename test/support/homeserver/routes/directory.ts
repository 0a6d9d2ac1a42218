import { MatrixError, forbidden, invalidParam, notFound } from "../errors.js";
import { isObject, optNumber, optString, reqString, type JsonObject } from "../json.js";
import { powerLevelsOf, requiredLevel, userLevel } from "../power-levels.js";
import { authed, json, open, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { Room } from "../state/room.js";

const V3 = "/_matrix/client/v3";

/** Room aliases, the room directory's visibility and the public room list. */
export function directoryRoutes(hs: HomeserverState): Route[] {
  const mayPublish = (room: Room, userId: string): boolean => {
    const levels = powerLevelsOf(room.currentState);
    return (
      room.membership(userId) === "join" &&
      userLevel(levels, userId) >= requiredLevel(levels, "m.room.canonical_alias", true)
    );
  };
  const publicRooms = (filterTerm: string | undefined, limit: number | undefined) => {
    const stateString = (room: Room, type: string, key: string): string | undefined => {
      const value = room.stateEvent(type)?.content[key];
      return typeof value === "string" ? value : undefined;
    };
    let chunk: JsonObject[] = [...hs.rooms.values()]
      .filter((room) => room.directoryVisibility === "public")
      .map((room) => {
        const entry: JsonObject = {
          room_id: room.roomId,
          num_joined_members: room.usersWith("join").length,
          world_readable:
            stateString(room, "m.room.history_visibility", "history_visibility") ===
            "world_readable",
          guest_can_join: stateString(room, "m.room.guest_access", "guest_access") === "can_join",
          join_rule: stateString(room, "m.room.join_rules", "join_rule") ?? "invite",
        };
        const name = stateString(room, "m.room.name", "name");
        const topic = stateString(room, "m.room.topic", "topic");
        const alias = stateString(room, "m.room.canonical_alias", "alias");
        if (name !== undefined) entry.name = name;
        if (topic !== undefined) entry.topic = topic;
        if (alias !== undefined) entry.canonical_alias = alias;
        return entry;
      });
    if (filterTerm !== undefined) {
      const term = filterTerm.toLowerCase();
      chunk = chunk.filter((e) =>
        [e.name, e.topic, e.canonical_alias].some(
          (v) => typeof v === "string" && v.toLowerCase().includes(term),
        ),
      );
    }
    const total = chunk.length;
    if (limit !== undefined) chunk = chunk.slice(0, limit);
    return json({ chunk, total_room_count_estimate: total });
  };
  return [
    open("GET", `${V3}/directory/list/room/:roomId`, ({ params }) =>
      json({ visibility: hs.room(params.roomId ?? "").directoryVisibility }),
    ),
    authed("PUT", `${V3}/directory/list/room/:roomId`, ({ params, body, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const visibility = optString(body, "visibility") ?? "public";
      if (visibility !== "public" && visibility !== "private") {
        throw invalidParam("visibility must be public or private");
      }
      if (!mayPublish(room, requester.userId)) throw forbidden("You cannot publish this room");
      room.directoryVisibility = visibility;
      return json({});
    }),
    open("GET", `${V3}/publicRooms`, ({ query }) => {
      const limit = query.get("limit");
      return publicRooms(undefined, limit === null ? undefined : Number(limit));
    }),
    authed("POST", `${V3}/publicRooms`, ({ body }) => {
      const filter = isObject(body.filter) ? body.filter : {};
      const term =
        typeof filter.generic_search_term === "string" ? filter.generic_search_term : undefined;
      return publicRooms(term, optNumber(body, "limit"));
    }),
    open("GET", `${V3}/directory/room/:roomAlias`, ({ params }) => {
      const roomId = hs.aliases.get(params.roomAlias ?? "");
      if (roomId === undefined) throw notFound("Room alias not found");
      return json({ room_id: roomId, servers: [hs.serverName] });
    }),
    authed("PUT", `${V3}/directory/room/:roomAlias`, ({ params, body, requester }) => {
      const alias = params.roomAlias ?? "";
      if (!alias.startsWith("#") || !alias.endsWith(`:${hs.serverName}`)) {
        throw invalidParam("Alias must be local and start with #");
      }
      if (hs.aliases.has(alias)) throw new MatrixError(409, "M_UNKNOWN", "Alias already exists");
      const room = hs.room(reqString(body, "room_id"));
      if (room.membership(requester.userId) !== "join") throw forbidden("You are not in the room");
      hs.aliases.set(alias, room.roomId);
      return json({});
    }),
    authed("DELETE", `${V3}/directory/room/:roomAlias`, ({ params, requester }) => {
      const alias = params.roomAlias ?? "";
      const roomId = hs.aliases.get(alias);
      if (roomId === undefined) throw notFound("Room alias not found");
      if (!mayPublish(hs.room(roomId), requester.userId))
        throw forbidden("You cannot remove this alias");
      hs.aliases.delete(alias);
      return json({});
    }),
  ];
}
