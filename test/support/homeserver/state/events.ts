import { randomBytes } from "node:crypto";
import { clone, type JsonObject } from "../json.js";

/** The room state: the latest state event per `(type, state_key)`. Never mutated once built. */
export type RoomState = ReadonlyMap<string, StoredEvent>;

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

/** A persisted room event with the bookkeeping the server needs around it. */
export interface StoredEvent {
  readonly eventId: string;
  readonly roomId: string;
  readonly sender: string;
  readonly type: string;
  readonly stateKey: string | undefined;
  content: JsonObject;
  readonly originServerTs: number;
  /** Stream position at which the event was persisted. */
  readonly pos: number;
  readonly redacts: string | undefined;
  /** The state this event was authorised against, and the state after it. */
  readonly stateBefore: RoomState;
  stateAfter: RoomState;
  /** The event this state event replaced, for `unsigned.prev_content` / `replaces_state`. */
  readonly replaces: StoredEvent | undefined;
  /** The device and transaction id the sender used, for `unsigned.transaction_id`. */
  readonly txn: { readonly deviceId: string; readonly txnId: string } | undefined;
  redactedBecause: StoredEvent | undefined;
}

/** A room-version-10-style opaque event id (the reference hash is random here). */
export function newEventId(): string {
  return `$${randomBytes(32).toString("base64url")}`;
}

/** The event as the client-server API shows it to a device (ClientEvent). */
export function toClientEvent(
  event: StoredEvent,
  viewerDeviceId: string | undefined,
  viewerUserId?: string,
): JsonObject {
  const unsigned: JsonObject = { age: Math.max(0, Date.now() - event.originServerTs) };
  if (
    event.txn !== undefined &&
    event.txn.deviceId === viewerDeviceId &&
    (viewerUserId === undefined || viewerUserId === event.sender)
  ) {
    unsigned.transaction_id = event.txn.txnId;
  }
  if (event.replaces !== undefined && event.redactedBecause === undefined) {
    unsigned.prev_content = clone(event.replaces.content);
    unsigned.replaces_state = event.replaces.eventId;
    unsigned.prev_sender = event.replaces.sender;
  }
  if (event.redactedBecause !== undefined) {
    unsigned.redacted_because = toClientEvent(event.redactedBecause, undefined);
  }
  const out: JsonObject = {
    content: clone(event.content),
    event_id: event.eventId,
    origin_server_ts: event.originServerTs,
    room_id: event.roomId,
    sender: event.sender,
    type: event.type,
    unsigned,
  };
  if (event.stateKey !== undefined) out.state_key = event.stateKey;
  if (event.redacts !== undefined) out.redacts = event.redacts;
  return out;
}

/** Stripped state, as invites and knocks show a room. */
export function toStrippedState(event: StoredEvent): JsonObject {
  return {
    content: clone(event.content),
    sender: event.sender,
    state_key: event.stateKey ?? "",
    type: event.type,
  };
}

/** Content keys that survive redaction, per the room version 10 redaction algorithm. */
const KEPT_CONTENT: Readonly<Record<string, readonly string[]>> = {
  "m.room.member": ["membership", "join_authorised_via_users_server"],
  "m.room.create": ["creator"],
  "m.room.join_rules": ["join_rule", "allow"],
  "m.room.power_levels": [
    "ban",
    "events",
    "events_default",
    "kick",
    "redact",
    "state_default",
    "users",
    "users_default",
  ],
  "m.room.history_visibility": ["history_visibility"],
};

/** The content left after redaction. */
export function redactedContent(type: string, content: JsonObject): JsonObject {
  const kept = KEPT_CONTENT[type] ?? [];
  const out: JsonObject = {};
  for (const key of kept) {
    if (key in content) out[key] = clone(content[key]);
  }
  return out;
}
