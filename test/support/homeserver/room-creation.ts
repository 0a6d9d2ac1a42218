import { MatrixError, badJson } from "./errors.js";
import {
  isObject,
  optBoolean,
  optObject,
  optObjectArray,
  optString,
  optStringArray,
  type JsonObject,
} from "./json.js";
import { defaultPowerLevelsContent } from "./power-levels.js";
import { changeMembership, sendEvent } from "./room-writer.js";
import type { HomeserverState } from "./state/homeserver-state.js";
import { Room } from "./state/room.js";

const PRESETS: Readonly<Record<string, { joinRule: string; guestAccess: string }>> = {
  private_chat: { joinRule: "invite", guestAccess: "can_join" },
  trusted_private_chat: { joinRule: "invite", guestAccess: "can_join" },
  public_chat: { joinRule: "public", guestAccess: "forbidden" },
};

/** `POST /createRoom`: the events the spec lists, in the spec's order. Returns the room. */
export function createRoom(hs: HomeserverState, creator: string, body: JsonObject): Room {
  const version = optString(body, "room_version") ?? "10";
  if (version !== "10") {
    throw new MatrixError(400, "M_UNSUPPORTED_ROOM_VERSION", `Room version ${version} unsupported`);
  }
  const visibility = optString(body, "visibility") ?? "private";
  const presetName =
    optString(body, "preset") ?? (visibility === "public" ? "public_chat" : "private_chat");
  const preset = PRESETS[presetName];
  if (preset === undefined) throw badJson(`Unknown preset ${presetName}`);
  const invitees = optStringArray(body, "invite") ?? [];
  for (const invitee of invitees) {
    if (hs.accounts.get(invitee) === undefined) {
      throw new MatrixError(404, "M_NOT_FOUND", `Unknown user ${invitee}`);
    }
  }
  const aliasName = optString(body, "room_alias_name");
  const alias = aliasName === undefined ? undefined : `#${aliasName}:${hs.serverName}`;
  if (alias !== undefined && hs.aliases.has(alias)) {
    throw new MatrixError(400, "M_ROOM_IN_USE", "Room alias already taken");
  }
  const initialState = optObjectArray(body, "initial_state") ?? [];
  const override = optObject(body, "power_level_content_override") ?? {};
  const isDirect = optBoolean(body, "is_direct") === true;

  const room = new Room(hs.newRoomId(), version);
  hs.rooms.set(room.roomId, room);
  const state = (type: string, content: JsonObject, stateKey = ""): void => {
    sendEvent(hs, room, { sender: creator, type, stateKey, content });
  };

  state("m.room.create", {
    ...(optObject(body, "creation_content") ?? {}),
    creator,
    room_version: version,
  });
  changeMembership(hs, room, creator, creator, "join");
  const powerLevels = defaultPowerLevelsContent(creator);
  if (presetName === "trusted_private_chat") {
    const users = powerLevels.users as Record<string, number>;
    for (const invitee of invitees) users[invitee] = 100;
  }
  state("m.room.power_levels", { ...powerLevels, ...override });
  if (alias !== undefined) {
    hs.aliases.set(alias, room.roomId);
    state("m.room.canonical_alias", { alias });
  }
  state("m.room.join_rules", { join_rule: preset.joinRule });
  state("m.room.history_visibility", { history_visibility: "shared" });
  state("m.room.guest_access", { guest_access: preset.guestAccess });
  for (const event of initialState) {
    const type = event.type;
    if (typeof type !== "string" || !isObject(event.content)) {
      throw badJson("initial_state events need a type and a content");
    }
    state(type, event.content, typeof event.state_key === "string" ? event.state_key : "");
  }
  const name = optString(body, "name");
  if (name !== undefined) state("m.room.name", { name });
  const topic = optString(body, "topic");
  if (topic !== undefined) state("m.room.topic", { topic });
  for (const invitee of invitees) {
    changeMembership(hs, room, creator, invitee, "invite", isDirect ? { is_direct: true } : {});
  }
  if (visibility === "public") room.directoryVisibility = "public";
  return room;
}
