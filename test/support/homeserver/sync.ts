import { deviceListChanges } from "./device-lists.js";
import type { JsonObject } from "./json.js";
import { toClientEvent, toStrippedState, type StoredEvent } from "./state/events.js";
import type { HomeserverState } from "./state/homeserver-state.js";
import type { Room } from "./state/room.js";
import type { SyncFilter } from "./sync-filter.js";
import { canSeeEvent } from "./visibility.js";

export interface SyncRequest {
  readonly userId: string;
  readonly deviceId: string;
  readonly since: number | undefined;
  readonly fullState: boolean;
  readonly filter: SyncFilter;
}

/** The state types an invitee or knocker sees of a room (stripped state). */
const STRIPPED_STATE_TYPES = [
  "m.room.create",
  "m.room.join_rules",
  "m.room.name",
  "m.room.avatar",
  "m.room.canonical_alias",
  "m.room.encryption",
  "m.room.topic",
];

/** Sync tokens are `s<stream position>`; pagination tokens `t<position>`. Both parse here. */
export function parseStreamToken(token: string): number | undefined {
  const match = /^[st](\d+)$/.exec(token);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Builds one `/sync` response as of the newest stream position the user may see (`upTo`: the
 * current one, unless a delivery delay holds other users' latest changes back). Everything in
 * it is bounded by `upTo`, so that the next sync, from `next_batch`, misses nothing held back.
 * `empty` tells a long-poll whether there is anything worth returning yet.
 */
export function buildSync(
  hs: HomeserverState,
  request: SyncRequest,
): { response: JsonObject; empty: boolean; upTo: number } {
  const { userId, deviceId, since } = request;
  // Never before `since`: a token is only ever handed out as a position its user could see.
  const upTo = Math.max(hs.stream.visibleTo(userId), since ?? 0);
  const join: JsonObject = {};
  const invite: JsonObject = {};
  const leave: JsonObject = {};
  const knock: JsonObject = {};
  for (const room of hs.rooms.values()) {
    const memberEvent = room.stateEvent("m.room.member", userId, room.stateAt(upTo));
    if (memberEvent === undefined) continue;
    const membership = memberEvent.content.membership;
    const changedSince = since === undefined || memberEvent.pos > since;
    if (membership === "join") {
      const section = joinedRoom(hs, room, request, upTo, changedSince);
      if (section !== undefined) join[room.roomId] = section;
    } else if (membership === "invite" && changedSince) {
      invite[room.roomId] = {
        invite_state: { events: strippedState(room, memberEvent, upTo) },
      };
    } else if (membership === "knock" && changedSince) {
      knock[room.roomId] = { knock_state: { events: strippedState(room, memberEvent, upTo) } };
    } else if (
      (membership === "leave" || membership === "ban") &&
      !room.forgotten.has(userId) &&
      (since === undefined ? request.filter.includeLeave : memberEvent.pos > since)
    ) {
      leave[room.roomId] = leftRoom(hs, room, request, memberEvent, upTo);
    }
  }

  const toDevice = hs.toDevice
    .take(userId, deviceId, since, upTo)
    .map((m) => ({ sender: m.sender, type: m.type, content: m.content }));
  const accountData = hs.accountData
    .changedSince(userId, undefined, since, upTo)
    .map((e) => ({ type: e.type, content: e.content }));
  const deviceLists =
    since === undefined ? { changed: [], left: [] } : deviceListChanges(hs, userId, since, upTo);

  const response: JsonObject = {
    next_batch: `s${upTo}`,
    rooms: { join, invite, leave, knock },
    presence: { events: since === undefined ? presenceOfRoommates(hs, userId) : [] },
    account_data: { events: accountData },
    to_device: { events: toDevice },
    device_lists: deviceLists,
    device_one_time_keys_count: hs.keys.oneTimeKeyCounts(userId, deviceId),
    device_unused_fallback_key_types: hs.keys.unusedFallbackKeyTypes(userId, deviceId),
  };
  const empty =
    Object.keys(join).length + Object.keys(invite).length + Object.keys(leave).length === 0 &&
    Object.keys(knock).length === 0 &&
    toDevice.length + accountData.length === 0 &&
    deviceLists.changed.length + deviceLists.left.length === 0;
  return { response, empty, upTo };
}

/**
 * Everyone who shares a joined room with the user (the user too), online, as Synapse tells an
 * initial sync: clients keep presence in their sync store, and a bot restarted with presence
 * saved must cope with it (it did not, and only Synapse showed it).
 */
function presenceOfRoommates(hs: HomeserverState, userId: string): JsonObject[] {
  const people = new Set<string>([userId]);
  for (const room of hs.rooms.values()) {
    if (room.membership(userId) !== "join") continue;
    for (const member of room.usersWith("join")) people.add(member);
  }
  return [...people].map((sender) => ({
    type: "m.presence",
    sender,
    content: { presence: "online", currently_active: true, last_active_ago: 0 },
  }));
}

/** The latest `limit` events in `(after, upTo]` that the user may see, and whether more exist. */
function visibleTimeline(
  room: Room,
  userId: string,
  after: number,
  upTo: number,
  limit: number,
): { events: StoredEvent[]; limited: boolean } {
  const candidates = room.eventsBetween(after, upTo);
  const stateAtEnd = room.stateAt(upTo);
  const events: StoredEvent[] = [];
  let limited = false;
  for (let i = candidates.length - 1; i >= 0; i--) {
    const event = candidates[i];
    if (event === undefined || !canSeeEvent(room, event, userId, stateAtEnd)) continue;
    if (events.length === limit) {
      limited = true;
      break;
    }
    events.push(event);
  }
  return { events: events.reverse(), limited };
}

/**
 * The `state` section beside a timeline, as Synapse computes it: the state at the timeline's
 * start and at its end, less what the timeline itself carries (and, for an incremental sync,
 * what the client had at `since`). The timeline may skip events the user may not see (its
 * first event can be the room's creation while the members who joined later are hidden), so
 * the state at its first event alone would leave them out: history visibility limits the
 * timeline, never the state.
 */
function stateBesideTimeline(
  room: Room,
  timeline: readonly StoredEvent[],
  upTo: number,
  since: number | undefined,
): StoredEvent[] {
  const atEnd = room.stateAt(upTo);
  const atStart = timeline[0]?.stateBefore ?? atEnd;
  const inTimeline = new Set(timeline.map((e) => e.eventId));
  const known = since === undefined ? undefined : room.stateAt(since);
  const state: StoredEvent[] = [];
  for (const key of new Set([...atStart.keys(), ...atEnd.keys()])) {
    // The latest value the timeline does not bring; else the value it starts from.
    const candidates = [atEnd.get(key), atStart.get(key)];
    const chosen = candidates.find((e) => e !== undefined && !inTimeline.has(e.eventId));
    if (chosen === undefined || known?.get(key)?.eventId === chosen.eventId) continue;
    state.push(chosen);
  }
  return state;
}

function roomTimelineAndState(
  room: Room,
  request: SyncRequest,
  after: number,
  upTo: number,
  withFullState: boolean,
): JsonObject {
  const { events, limited } = visibleTimeline(
    room,
    request.userId,
    after,
    upTo,
    request.filter.timelineLimit,
  );
  const first = events[0];
  const state =
    withFullState || limited
      ? stateBesideTimeline(room, events, upTo, withFullState ? undefined : after)
      : [];
  // Events in /sync are ClientEventWithoutRoomID: the room is the key they are listed under.
  const view = (e: StoredEvent): JsonObject => {
    const event = toClientEvent(e, request.deviceId, request.userId);
    delete event.room_id;
    return event;
  };
  return {
    timeline: {
      events: events.map(view),
      limited,
      prev_batch: `t${first === undefined ? upTo : first.pos - 1}`,
    },
    state: { events: state.map(view) },
  };
}

function joinedRoom(
  hs: HomeserverState,
  room: Room,
  request: SyncRequest,
  upTo: number,
  newlyJoined: boolean,
): JsonObject | undefined {
  const { since, userId } = request;
  const after = newlyJoined || since === undefined ? 0 : since;
  const section = roomTimelineAndState(
    room,
    request,
    after,
    upTo,
    newlyJoined || request.fullState,
  );
  const ephemeral: JsonObject[] = [];
  // The typing set is the one of `typingPos`: a later change waits for a later sync.
  if ((since === undefined || room.typingPos > since) && room.typingPos <= upTo) {
    ephemeral.push({ type: "m.typing", content: { user_ids: [...room.typing.keys()] } });
  }
  const receipts = receiptContent(room, since, upTo, userId);
  if (receipts !== undefined) ephemeral.push({ type: "m.receipt", content: receipts });
  const accountData = hs.accountData
    .changedSince(userId, room.roomId, since, upTo)
    .map((e) => ({ type: e.type, content: e.content }));
  const timeline = section.timeline as { events: unknown[] };
  const hasNews =
    newlyJoined ||
    request.fullState ||
    timeline.events.length > 0 ||
    accountData.length > 0 ||
    (since !== undefined && ephemeral.length > 0);
  if (!hasNews) return undefined;
  const stateAtEnd = room.stateAt(upTo);
  return {
    ...section,
    ephemeral: { events: ephemeral },
    account_data: { events: accountData },
    summary: {
      "m.joined_member_count": room.usersWith("join", stateAtEnd).length,
      "m.invited_member_count": room.usersWith("invite", stateAtEnd).length,
    },
    unread_notifications: { highlight_count: 0, notification_count: 0 },
  };
}

function leftRoom(
  hs: HomeserverState,
  room: Room,
  request: SyncRequest,
  memberEvent: StoredEvent,
  upTo: number,
): JsonObject {
  const after = request.since ?? 0;
  const section = roomTimelineAndState(
    room,
    request,
    after,
    memberEvent.pos,
    request.since === undefined || request.fullState,
  );
  const accountData = hs.accountData
    .changedSince(request.userId, room.roomId, request.since, upTo)
    .map((e) => ({ type: e.type, content: e.content }));
  return { ...section, account_data: { events: accountData } };
}

function receiptContent(
  room: Room,
  since: number | undefined,
  upTo: number,
  viewer: string,
): JsonObject | undefined {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  let any = false;
  for (const receipt of room.receipts.values()) {
    if ((since !== undefined && receipt.pos <= since) || receipt.pos > upTo) continue;
    if (receipt.receiptType === "m.read.private" && receipt.userId !== viewer) continue;
    any = true;
    const byType = (content[receipt.eventId] ??= {});
    const byUser = (byType[receipt.receiptType] ??= {});
    byUser[receipt.userId] =
      receipt.threadId === undefined
        ? { ts: receipt.ts }
        : { ts: receipt.ts, thread_id: receipt.threadId };
  }
  return any ? content : undefined;
}

function strippedState(room: Room, memberEvent: StoredEvent, upTo: number): JsonObject[] {
  const state = room.stateAt(upTo);
  const events: JsonObject[] = [];
  for (const type of STRIPPED_STATE_TYPES) {
    const event = room.stateEvent(type, "", state);
    if (event !== undefined) events.push(toStrippedState(event));
  }
  const inviter = room.stateEvent("m.room.member", memberEvent.sender, state);
  if (inviter !== undefined && inviter !== memberEvent) events.push(toStrippedState(inviter));
  events.push(toStrippedState(memberEvent));
  return events;
}
