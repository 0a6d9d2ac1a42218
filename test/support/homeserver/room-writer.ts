import { authorizeEvent, mayRedact } from "./auth-rules.js";
import { forbidden, notFound } from "./errors.js";
import { checkEventSize } from "./event-size.js";
import { clone, type JsonObject } from "./json.js";
import type { StoredEvent } from "./state/events.js";
import type { HomeserverState } from "./state/homeserver-state.js";
import type { NewEvent, Room } from "./state/room.js";

export interface EventInput {
  readonly sender: string;
  readonly type: string;
  readonly stateKey?: string | undefined;
  readonly content: JsonObject;
  readonly redacts?: string | undefined;
  readonly txn?: { readonly deviceId: string; readonly txnId: string } | undefined;
}

/**
 * Authorizes and persists an event in a room, applying what it implies (a redaction strips its
 * target; leaving stops typing) and waking long-polls. `skipAuth` is for test hooks only.
 */
export function sendEvent(
  hs: HomeserverState,
  room: Room,
  input: EventInput,
  skipAuth = false,
): StoredEvent {
  const event: NewEvent = {
    sender: input.sender,
    type: input.type,
    stateKey: input.stateKey,
    content: clone(input.content),
    redacts: input.redacts,
    txn: input.txn,
  };
  let target: StoredEvent | undefined;
  checkEventSize(hs.serverName, { ...event, roomId: room.roomId }, room.events.length + 1);
  if (!skipAuth) authorizeEvent(room, event);
  if (input.type === "m.room.redaction") {
    if (input.redacts === undefined) throw forbidden("A redaction needs redacts");
    target = room.event(input.redacts);
    if (target !== undefined && !skipAuth && !mayRedact(room, input.sender, target.sender)) {
      throw forbidden("You don't have permission to redact this event");
    }
  }
  const stored = room.append(event, hs.stream.advance(input.sender));
  if (target !== undefined) room.applyRedaction(target, stored);
  if (input.type === "m.room.member" && input.content.membership !== "join") {
    stopTyping(hs, room, input.stateKey ?? "");
  }
  return stored;
}

/** Changes `target`'s membership, with the profile fields a join carries. */
export function changeMembership(
  hs: HomeserverState,
  room: Room,
  sender: string,
  target: string,
  membership: string,
  extra: JsonObject = {},
  skipAuth = false,
): StoredEvent {
  const content: JsonObject = { ...extra, membership };
  if (membership === "join" || membership === "invite" || membership === "knock") {
    const account = hs.accounts.get(target);
    if (account === undefined) throw notFound(`Unknown user ${target}`);
    if (account.displayName !== undefined) content.displayname = account.displayName;
    if (account.avatarUrl !== undefined) content.avatar_url = account.avatarUrl;
  }
  if (membership === "join") room.forgotten.delete(target);
  return sendEvent(
    hs,
    room,
    { sender, type: "m.room.member", stateKey: target, content },
    skipAuth,
  );
}

/** Clears `userId`'s typing notification in `room`, if any. */
export function stopTyping(hs: HomeserverState, room: Room, userId: string): void {
  const timer = room.typing.get(userId);
  if (timer === undefined) return;
  clearTimeout(timer);
  room.typing.delete(userId);
  room.typingPos = hs.stream.advance(userId);
}
