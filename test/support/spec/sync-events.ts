import { isJsonObject, type JsonObject } from "./spec-documents.js";

/** An event found in a `/sync` response, with where it was and its room, if any. */
export interface SyncedEvent {
  /** A JSON path into the sync body, e.g. `/rooms/join/!r:hs/timeline/events/0`. */
  readonly where: string;
  readonly event: unknown;
  readonly roomId?: string;
}

/** Room sections whose events are full (non-stripped) events, per membership. */
const ROOM_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  join: ["timeline", "state", "state_after", "ephemeral", "account_data"],
  leave: ["timeline", "state", "state_after", "account_data"],
};
const TOP_SECTIONS = ["account_data", "presence", "to_device"];

/**
 * Every event of a `/sync` body that should match its type's schema. Invite and knock state
 * is left out: it is stripped state, which the sync response schema itself covers.
 */
export function eventsInSync(sync: unknown): SyncedEvent[] {
  if (!isJsonObject(sync)) return [];
  const found: SyncedEvent[] = [];
  for (const section of TOP_SECTIONS) {
    collect(found, `/${section}/events`, eventsOf(sync[section]));
  }
  const rooms = isJsonObject(sync.rooms) ? sync.rooms : {};
  for (const [membership, sections] of Object.entries(ROOM_SECTIONS)) {
    const byRoom = isJsonObject(rooms[membership]) ? rooms[membership] : {};
    for (const [roomId, room] of Object.entries(byRoom)) {
      if (!isJsonObject(room)) continue;
      for (const section of sections) {
        const where = `/rooms/${membership}/${roomId}/${section}/events`;
        collect(found, where, eventsOf(room[section]), roomId);
      }
    }
  }
  return found;
}

function eventsOf(section: unknown): unknown[] {
  return isJsonObject(section) && Array.isArray(section.events) ? section.events : [];
}

function collect(found: SyncedEvent[], where: string, events: unknown[], roomId?: string): void {
  events.forEach((event, index) => {
    found.push({ where: `${where}/${index}`, event, ...(roomId === undefined ? {} : { roomId }) });
  });
}

/** The timeline of a joined room in a sync body, if present. */
export function joinedTimeline(sync: unknown, roomId: string): JsonObject | undefined {
  const rooms = isJsonObject(sync) && isJsonObject(sync.rooms) ? sync.rooms : {};
  const join = isJsonObject(rooms.join) ? rooms.join : {};
  const room = join[roomId];
  return isJsonObject(room) && isJsonObject(room.timeline) ? room.timeline : undefined;
}
