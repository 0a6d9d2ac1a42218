import { stateKeyOf, type RoomState, type StoredEvent } from "./state/events.js";
import type { Room } from "./state/room.js";

const RANK: Readonly<Record<string, number>> = {
  world_readable: 3,
  shared: 2,
  invited: 1,
  joined: 0,
};

const MEMBERSHIP_PRIORITY = ["join", "invite", "knock", "leave", "ban"];

function mostJoined(a: string, b: string): string {
  const rank = (m: string): number => {
    const index = MEMBERSHIP_PRIORITY.indexOf(m);
    return index < 0 ? MEMBERSHIP_PRIORITY.indexOf("leave") : index;
  };
  return rank(a) <= rank(b) ? a : b;
}

function historyVisibility(state: RoomState): string {
  const value = state.get(stateKeyOf("m.room.history_visibility", ""))?.content.history_visibility;
  return typeof value === "string" && value in RANK ? value : "shared";
}

/**
 * Whether `userId` may see `event`, by the spec's history visibility rules: the visibility
 * and the user's membership are taken at the event (state before it; a user's own membership
 * event counts as its own membership); `shared` history is readable while the user is joined
 * (in `now`: the current state, or the state a delayed sync reaches).
 */
export function canSeeEvent(
  room: Room,
  event: StoredEvent,
  userId: string,
  now: RoomState = room.currentState,
): boolean {
  let visibility = historyVisibility(event.stateBefore);
  if (event.type === "m.room.history_visibility" && event.stateKey === "") {
    const after = historyVisibility(event.stateAfter);
    if ((RANK[after] ?? 0) > (RANK[visibility] ?? 0)) visibility = after;
  }
  if (visibility === "world_readable") return true;
  let membership = room.membership(userId, event.stateBefore);
  if (event.type === "m.room.member" && event.stateKey === userId) {
    // One's own membership events count with the "most joined" of before and after, and
    // leaving is always visible, so that a client sees the room go (as Synapse does).
    const after = typeof event.content.membership === "string" ? event.content.membership : "leave";
    const before = membership ?? "leave";
    if (after === "leave" && (before === "join" || before === "invite")) return true;
    membership = mostJoined(before, after);
  }
  if (membership === "join") return true;
  switch (visibility) {
    case "invited":
      return membership === "invite";
    case "shared":
      return room.membership(userId, now) === "join";
    default:
      return false;
  }
}

/** Whether the room's history is currently world-readable. */
export function isWorldReadable(room: Room): boolean {
  return historyVisibility(room.currentState) === "world_readable";
}

/**
 * The room state `userId` may read: the current state while joined (or world-readable), the
 * state at the moment they left for former members; `undefined` for strangers.
 */
export function readableState(room: Room, userId: string): RoomState | undefined {
  const membership = room.membership(userId);
  if (membership === "join" || isWorldReadable(room)) return room.currentState;
  const memberEvent = room.stateEvent("m.room.member", userId);
  if (memberEvent !== undefined && (membership === "leave" || membership === "ban")) {
    const wasJoined = memberEvent.replaces?.content.membership === "join";
    return wasJoined ? memberEvent.stateAfter : undefined;
  }
  return undefined;
}
