import { notFound } from "./errors.js";
import { changeMembership } from "./room-writer.js";
import type { StoredEvent } from "./state/events.js";
import type { HomeserverState } from "./state/homeserver-state.js";

/** Joins `userId` to the room whatever its rules say, as a compromised server could. */
export function forceJoin(hs: HomeserverState, roomId: string, userId: string): StoredEvent {
  const room = hs.room(roomId);
  if (hs.accounts.get(userId) === undefined) throw notFound(`Unknown user ${userId}`);
  return changeMembership(hs, room, userId, userId, "join", {}, true);
}
