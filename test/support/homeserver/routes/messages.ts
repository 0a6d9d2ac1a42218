import { forbidden, invalidParam } from "../errors.js";
import { isObject, type JsonObject } from "../json.js";
import { authed, json, type Route } from "../router.js";
import { toClientEvent, type StoredEvent } from "../state/events.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import { parseStreamToken } from "../sync.js";
import { canSeeEvent, readableState } from "../visibility.js";

const V3 = "/_matrix/client/v3";
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;

function parseLimit(value: string | null): number {
  if (value === null) return DEFAULT_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw invalidParam("limit must be a positive integer");
  return Math.min(limit, MAX_LIMIT);
}

function parseToken(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const pos = parseStreamToken(value);
  if (pos === undefined) throw invalidParam(`Invalid ${name} token`);
  return pos;
}

function lazyLoadMembers(filterParam: string | null): boolean {
  if (filterParam === null) return false;
  try {
    const filter: unknown = JSON.parse(filterParam);
    return isObject(filter) && filter.lazy_load_members === true;
  } catch {
    throw invalidParam("filter is not JSON");
  }
}

/**
 * `GET /rooms/{roomId}/messages`: pagination both ways. Tokens are stream positions: `b` from
 * `p` returns events at or before `p`; `f` from `p` returns events after `p`.
 */
export function messagesRoutes(hs: HomeserverState): Route[] {
  return [
    authed("GET", `${V3}/rooms/:roomId/messages`, ({ params, query, requester }) => {
      const room = hs.room(params.roomId ?? "");
      if (readableState(room, requester.userId) === undefined) {
        const invited = room.membership(requester.userId) === "invite";
        if (!invited) throw forbidden("You are not allowed to view this room");
      }
      const dir = query.get("dir") ?? "b";
      if (dir !== "b" && dir !== "f") throw invalidParam("dir must be b or f");
      const backwards = dir === "b";
      const from = parseToken(query.get("from"), "from") ?? (backwards ? hs.stream.current : 0);
      const to = parseToken(query.get("to"), "to");
      const limit = parseLimit(query.get("limit"));

      const candidates = backwards
        ? room.eventsBetween(to ?? 0, from).reverse()
        : room.eventsBetween(from, to ?? hs.stream.current);
      const chunk: StoredEvent[] = [];
      let scanned = 0;
      for (const event of candidates) {
        if (chunk.length === limit) break;
        scanned += 1;
        if (canSeeEvent(room, event, requester.userId)) chunk.push(event);
      }
      const last = candidates[scanned - 1];
      const exhausted = scanned === candidates.length;
      const response: JsonObject = {
        start: `t${from}`,
        chunk: chunk.map((e) => toClientEvent(e, requester.deviceId, requester.userId)),
      };
      if (!exhausted && last !== undefined) {
        response.end = `t${backwards ? last.pos - 1 : last.pos}`;
      }
      if (lazyLoadMembers(query.get("filter"))) {
        const senders = new Set(chunk.map((e) => e.sender));
        response.state = [...senders]
          .map((sender) => room.stateEvent("m.room.member", sender))
          .filter((e) => e !== undefined)
          .map((e) => toClientEvent(e, undefined));
      }
      return json(response);
    }),
  ];
}
