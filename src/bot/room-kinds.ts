import type { MatrixClient } from "matrix-js-sdk";
import { presentMembers } from "../matrix/room-facts.js";
import { RoomMaker } from "../matrix/rooms.js";
import type { RoomKind } from "../chat/context.js";
import type { BotConfig } from "../config/schema.js";

type ConfiguredRoom = keyof BotConfig["rooms"];

const KIND_OF: Record<ConfiguredRoom, RoomKind> = {
  triage: "triage",
  abuseTeam: "abuseTeam",
  advisory: "advisory",
  donors: "donors",
  communityAlerts: "alerts",
  publicAlerts: "alerts",
};

/**
 * Which kind of room a room is: one of the configured rooms (their IDs resolved from aliases at
 * start), a direct-message room (no more than the bot and one person, joined or invited), or
 * a ticket room or an abuse report's room (marked by the bot when it made them), or another room.
 */
export class RoomKinds {
  private readonly configured = new Map<string, RoomKind>();
  private readonly ids = new Map<ConfiguredRoom, string>();
  private readonly keys = new Map<string, ConfiguredRoom>();

  constructor(private readonly client: MatrixClient) {}

  /** Records the resolved room ID of a configured room. */
  setConfigured(key: ConfiguredRoom, roomId: string): void {
    this.configured.set(roomId, KIND_OF[key]);
    this.ids.set(key, roomId);
    this.keys.set(roomId, key);
  }

  /** Which configured room a room is (`communityAlerts`, ...), if any. */
  configuredKey(roomId: string): ConfiguredRoom | undefined {
    return this.keys.get(roomId);
  }

  /** The room ID of a configured room, once the bot has joined it. */
  roomIdOf(key: ConfiguredRoom): string | undefined {
    return this.ids.get(key);
  }

  configuredKind(roomId: string): RoomKind | undefined {
    return this.configured.get(roomId);
  }

  /** A ticket, report or warning room: the rooms the guard keeps to their audience. */
  isCaseRoom(roomId: string): boolean {
    const kind = this.kindOf(roomId);
    return kind === "ticket" || kind === "report" || kind === "warning";
  }

  kindOf(roomId: string): RoomKind {
    const configured = this.configured.get(roomId);
    if (configured) return configured;
    const room = this.client.getRoom(roomId);
    if (!room) return "other";
    const bot = this.client.getSafeUserId();
    if (RoomMaker.caseOf(room, bot, "ticket") !== undefined) return "ticket";
    if (RoomMaker.caseOf(room, bot, "report") !== undefined) return "report";
    if (RoomMaker.caseOf(room, bot, "warning") !== undefined) return "warning";
    const present = presentMembers(room);
    return present.length <= 2 ? "direct" : "other";
  }
}
