import { forbidden } from "./errors.js";
import type { JsonObject } from "./json.js";
import {
  LEVEL_KEYS,
  parsePowerLevels,
  powerLevelsOf,
  requiredLevel,
  userLevel,
  type PowerLevels,
} from "./power-levels.js";
import type { NewEvent, Room } from "./state/room.js";

/**
 * The authorization rules of room version 10 that a single server can meet: membership
 * transitions, power levels for every event, and power-level edits. Throws `M_FORBIDDEN`.
 */
export function authorizeEvent(room: Room, event: NewEvent): void {
  if (event.type === "m.room.create") {
    if (room.events.length > 0 || event.stateKey !== "") throw forbidden("Room already created");
    return;
  }
  if (event.type === "m.room.member") {
    authorizeMembership(room, event);
    return;
  }
  if (room.membership(event.sender) !== "join") {
    throw forbidden(`${event.sender} is not in the room`);
  }
  if (event.stateKey?.startsWith("@") === true && event.stateKey !== event.sender) {
    throw forbidden("State keys that are user IDs may only be set by that user");
  }
  const levels = powerLevelsOf(room.currentState);
  const senderLevel = userLevel(levels, event.sender);
  if (senderLevel < requiredLevel(levels, event.type, event.stateKey !== undefined)) {
    throw forbidden(`You don't have permission to send ${event.type}`);
  }
  if (event.type === "m.room.power_levels" && event.stateKey === "") {
    authorizePowerLevelsChange(room, levels, senderLevel, event.sender, event.content);
  }
}

function authorizeMembership(room: Room, event: NewEvent): void {
  const target = event.stateKey;
  const membership = event.content.membership;
  if (target === undefined || typeof membership !== "string") {
    throw forbidden("Membership events need a state_key and a membership");
  }
  const createEvent = room.stateEvent("m.room.create");
  // The creator's first join, right after the create event.
  if (
    membership === "join" &&
    room.events.length === 1 &&
    createEvent !== undefined &&
    createEvent.sender === target &&
    event.sender === target
  ) {
    return;
  }
  const senderMembership = room.membership(event.sender);
  const targetMembership = room.membership(target);
  const joinRule = room.stateEvent("m.room.join_rules")?.content.join_rule ?? "invite";
  const levels = powerLevelsOf(room.currentState);
  const senderLevel = userLevel(levels, event.sender);
  const targetLevel = userLevel(levels, target);

  switch (membership) {
    case "join": {
      if (event.sender !== target) throw forbidden("Cannot force another user to join");
      if (targetMembership === "ban") throw forbidden("You are banned from this room");
      if (joinRule === "public") return;
      if (targetMembership === "join" || targetMembership === "invite") return;
      throw forbidden("You are not invited to this room");
    }
    case "invite": {
      if (senderMembership !== "join") throw forbidden("You are not in the room");
      if (targetMembership === "ban") throw forbidden(`${target} is banned from the room`);
      if (targetMembership === "join") throw forbidden(`${target} is already in the room`);
      if (senderLevel < levels.invite) throw forbidden("You don't have permission to invite");
      return;
    }
    case "leave": {
      if (event.sender === target) {
        if (["invite", "join", "knock"].includes(targetMembership ?? "")) return;
        throw forbidden("You are not in the room");
      }
      if (senderMembership !== "join") throw forbidden("You are not in the room");
      if (targetMembership === "ban" && senderLevel < levels.ban) {
        throw forbidden("You don't have permission to unban");
      }
      if (targetMembership !== "ban" && (senderLevel < levels.kick || targetLevel >= senderLevel)) {
        throw forbidden("You don't have permission to kick this user");
      }
      return;
    }
    case "ban": {
      if (senderMembership !== "join") throw forbidden("You are not in the room");
      if (senderLevel < levels.ban || targetLevel >= senderLevel) {
        throw forbidden("You don't have permission to ban this user");
      }
      return;
    }
    case "knock": {
      if (joinRule !== "knock") throw forbidden("This room does not accept knocks");
      if (event.sender !== target) throw forbidden("Cannot knock for another user");
      if (["ban", "invite", "join"].includes(targetMembership ?? "")) {
        throw forbidden(`Cannot knock with membership ${targetMembership ?? ""}`);
      }
      return;
    }
    default:
      throw forbidden(`Unknown membership ${membership}`);
  }
}

function authorizePowerLevelsChange(
  room: Room,
  old: PowerLevels,
  senderLevel: number,
  sender: string,
  content: JsonObject,
): void {
  if (room.stateEvent("m.room.power_levels") === undefined) return;
  const next = parsePowerLevels(content);
  const oldScalars: Record<string, number> = scalars(old);
  const newScalars: Record<string, number> = scalars(next);
  for (const key of LEVEL_KEYS) {
    const before = oldScalars[key] ?? 0;
    const after = newScalars[key] ?? 0;
    if (before !== after && (before > senderLevel || after > senderLevel)) {
      throw forbidden(`You cannot change ${key} beyond your own power level`);
    }
  }
  for (const type of new Set([...Object.keys(old.events), ...Object.keys(next.events)])) {
    const before = old.events[type];
    const after = next.events[type];
    if (before === after) continue;
    if ((before ?? 0) > senderLevel || (after ?? 0) > senderLevel) {
      throw forbidden(`You cannot change the level of ${type} beyond your own`);
    }
  }
  for (const user of new Set([...Object.keys(old.users), ...Object.keys(next.users)])) {
    const before = old.users[user];
    const after = next.users[user];
    if (before === after) continue;
    if ((before ?? 0) > senderLevel || (after ?? 0) > senderLevel) {
      throw forbidden("You cannot give or take a power level above your own");
    }
    if (user !== sender && before !== undefined && before >= senderLevel) {
      throw forbidden("You cannot change the level of a user at or above your own");
    }
  }
}

function scalars(levels: PowerLevels): Record<string, number> {
  return {
    users_default: levels.usersDefault,
    events_default: levels.eventsDefault,
    state_default: levels.stateDefault,
    ban: levels.ban,
    redact: levels.redact,
    kick: levels.kick,
    invite: levels.invite,
  };
}

/** Whether `sender` may redact `target` (its own event, or with the redact level). */
export function mayRedact(room: Room, sender: string, targetSender: string): boolean {
  if (sender === targetSender) return true;
  return (
    userLevel(powerLevelsOf(room.currentState), sender) >= powerLevelsOf(room.currentState).redact
  );
}
