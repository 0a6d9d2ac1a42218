import { isObject, type JsonObject } from "./json.js";
import type { RoomState } from "./state/events.js";
import { stateKeyOf } from "./state/events.js";

/** The effective power levels of a room, with the spec's defaults filled in. */
export interface PowerLevels {
  readonly users: Readonly<Record<string, number>>;
  readonly usersDefault: number;
  readonly events: Readonly<Record<string, number>>;
  readonly eventsDefault: number;
  readonly stateDefault: number;
  readonly ban: number;
  readonly kick: number;
  readonly invite: number;
  readonly redact: number;
}

/** The scalar keys whose change is bounded by the sender's own level. */
export const LEVEL_KEYS = [
  "users_default",
  "events_default",
  "state_default",
  "ban",
  "redact",
  "kick",
  "invite",
] as const;

function level(value: unknown, fallback: number): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return fallback;
}

function levelMap(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) out[key] = level(v, 0);
  return out;
}

/** Reads `m.room.power_levels` from `state`; without one, the room creator has 100. */
export function powerLevelsOf(state: RoomState): PowerLevels {
  const event = state.get(stateKeyOf("m.room.power_levels", ""));
  if (event === undefined) {
    const creator = state.get(stateKeyOf("m.room.create", ""))?.sender;
    return {
      users: creator === undefined ? {} : { [creator]: 100 },
      usersDefault: 0,
      events: {},
      eventsDefault: 0,
      stateDefault: 0,
      ban: 50,
      kick: 50,
      invite: 0,
      redact: 50,
    };
  }
  return parsePowerLevels(event.content);
}

/** Power levels from an `m.room.power_levels` content, with the spec's defaults. */
export function parsePowerLevels(c: JsonObject): PowerLevels {
  return {
    users: levelMap(c.users),
    usersDefault: level(c.users_default, 0),
    events: levelMap(c.events),
    eventsDefault: level(c.events_default, 0),
    stateDefault: level(c.state_default, 50),
    ban: level(c.ban, 50),
    kick: level(c.kick, 50),
    invite: level(c.invite, 0),
    redact: level(c.redact, 50),
  };
}

export function userLevel(levels: PowerLevels, userId: string): number {
  return levels.users[userId] ?? levels.usersDefault;
}

/** The level needed to send an event of `type` (a state event when `isState`). */
export function requiredLevel(levels: PowerLevels, type: string, isState: boolean): number {
  return levels.events[type] ?? (isState ? levels.stateDefault : levels.eventsDefault);
}

/** The power levels event content a new room starts with (before any override). */
export function defaultPowerLevelsContent(creator: string): JsonObject {
  return {
    users: { [creator]: 100 },
    users_default: 0,
    events: {
      "m.room.name": 50,
      "m.room.power_levels": 100,
      "m.room.history_visibility": 100,
      "m.room.canonical_alias": 50,
      "m.room.avatar": 50,
      "m.room.tombstone": 100,
      "m.room.server_acl": 100,
      "m.room.encryption": 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
    historical: 100,
    notifications: { room: 50 },
  };
}
