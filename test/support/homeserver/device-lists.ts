import type { HomeserverState } from "./state/homeserver-state.js";

/** Users who share a joined room with `userId` at stream position `pos` (the user included). */
export function usersSharingRoomWith(
  hs: HomeserverState,
  userId: string,
  pos: number,
): Set<string> {
  const users = new Set<string>([userId]);
  for (const room of hs.rooms.values()) {
    const state = pos >= hs.stream.current ? room.currentState : room.stateAt(pos);
    if (room.membership(userId, state) !== "join") continue;
    for (const member of room.usersWith("join", state)) users.add(member);
  }
  return users;
}

/**
 * The device-list changes `userId` must hear of between `since` and `upTo`: users (sharing a
 * room now) whose keys changed or who newly share a room, and users who no longer share one.
 */
export function deviceListChanges(
  hs: HomeserverState,
  userId: string,
  since: number,
  upTo: number,
): { changed: string[]; left: string[] } {
  const before = usersSharingRoomWith(hs, userId, since);
  const now = usersSharingRoomWith(hs, userId, upTo);
  const changed: string[] = [];
  for (const user of now) {
    const lastChange = hs.keyChanges.get(user) ?? 0;
    if (!before.has(user) || (lastChange > since && lastChange <= upTo)) changed.push(user);
  }
  const left = [...before].filter((user) => !now.has(user));
  return { changed, left };
}
