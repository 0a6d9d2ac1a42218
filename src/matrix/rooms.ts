import {
  ClientEvent,
  EventTimeline,
  EventType,
  Preset,
  RoomStateEvent,
  type ICreateRoomOpts,
  type MatrixClient,
  type Room,
} from "matrix-js-sdk";
import type { Logger } from "../log/log.js";
import { presentMembers } from "./room-facts.js";
import { homeserverFailed } from "../failures/homeserver-errors.js";

/** The state events that mark a room as a case's room (set by the bot when it makes it). */
export const CASE_ROOM_STATE = {
  ticket: "org.dsx.ticket",
  report: "org.dsx.report",
  warning: "org.dsx.warning",
} as const;
export type CaseRoomKind = keyof typeof CASE_ROOM_STATE;
const CASE_ROOM_KINDS = Object.keys(CASE_ROOM_STATE) as CaseRoomKind[];

/** How long a room the bot created may take to reach it through sync. */
const ROOM_SYNC_TIMEOUT_MS = 60_000;

/**
 * Rooms the bot makes. Creating a room is not idempotent in Matrix, and a crash may fall between
 * the creation and the record of it: each kind of room is therefore found again by what marks it
 * (a direct room by its two members, a ticket room by its marker) before one is created.
 */
export class RoomMaker {
  constructor(
    private readonly client: MatrixClient,
    /** Configured rooms are never taken for a direct room. */
    private readonly isConfigured: (roomId: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** The case a case room of this kind belongs to, if it is one (marked by the bot itself). */
  static caseOf(room: Room, botUserId: string, kind: CaseRoomKind): string | undefined {
    const state = room.getLiveTimeline().getState(EventTimeline.FORWARDS);
    const marker = state?.getStateEvents(CASE_ROOM_STATE[kind], "");
    if (!marker || marker.getSender() !== botUserId) return undefined;
    const caseId: unknown = marker.getContent()["case"];
    return typeof caseId === "string" ? caseId : undefined;
  }

  /** A room the bot knows. */
  room(roomId: string): Room | undefined {
    return this.client.getRoom(roomId) ?? undefined;
  }

  /**
   * An encrypted room of the bot and this person alone, made (with an invite) if none exists.
   * Not Element's "trusted" preset, which gives the invitee the bot's power: the person may
   * write, and only the bot may invite or change the room (a notice's reader could otherwise
   * bring anyone in, or open its history).
   */
  async directRoomWith(userId: string): Promise<string> {
    const bot = this.client.getSafeUserId();
    return (
      this.findDirectRoom(userId) ??
      this.create({
        preset: Preset.PrivateChat,
        is_direct: true,
        invite: [userId],
        initial_state: [encryption()],
        power_level_content_override: botOnlyPowers(bot),
      })
    );
  }

  /** The encrypted room of the bot and this person alone, if there is one. */
  findDirectRoom(userId: string): string | undefined {
    const bot = this.client.getSafeUserId();
    const existing = this.client.getRooms().find((room) => {
      if (room.getMyMembership() !== "join" || this.isConfigured(room.roomId)) return false;
      const caseRoom = CASE_ROOM_KINDS.some((kind) => RoomMaker.caseOf(room, bot, kind));
      if (caseRoom || !room.hasEncryptionStateEvent()) return false;
      const others = presentMembers(room).filter((m) => m.userId !== bot);
      return others.length === 1 && others[0]?.userId === userId;
    });
    return existing?.roomId;
  }

  /**
   * The room of a case (a ticket room, an abuse report's room, a private warning's room): encrypted, invite-only, history
   * visible from joining only, and power levels that leave invites, kicks and state to the bot
   * (DESIGN.md, TLP enforcement).
   */
  async caseRoom(kind: CaseRoomKind, caseId: string, invite: readonly string[]): Promise<string> {
    const bot = this.client.getSafeUserId();
    const existing = this.client
      .getRooms()
      .find(
        (room) => room.getMyMembership() === "join" && RoomMaker.caseOf(room, bot, kind) === caseId,
      );
    const roomId =
      existing?.roomId ??
      (await this.madeBeforeSync(kind, caseId)) ??
      (await this.create(caseRoomOptions(kind, caseId, this.client.getSafeUserId())));
    // Invited one by one, also into a room found again after a crash: one person the server
    // does not know (a mistyped ID in the directory) must not keep the others out. A homeserver
    // that fails (5xx, rate limit, a dropped connection, a restart) is tried again: after a few
    // tries the error goes to the caller (a job, retried later), never is the invite dropped.
    for (const userId of invite) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.invite(roomId, userId);
          break;
        } catch (error) {
          if (!homeserverFailed(error)) {
            this.log.warn("could not invite someone to a case room", { roomId, error });
            break;
          }
          if (attempt >= INVITE_TRIES) throw error;
          const ms = 1000 * 2 ** (attempt - 1);
          this.log.warn("inviting to a case room failed; will retry", {
            roomId,
            attempt,
            ms,
            error,
          });
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
      }
    }
    return roomId;
  }

  /**
   * The case's room as the homeserver knows it, when the client does not yet: made just before
   * a crash, and not yet back through the sync after the restart (the cached sync can be older).
   * Asked of the server (the rooms the bot joined, and their markers) before a second room is
   * made; the room found is waited for through the sync.
   */
  private async madeBeforeSync(kind: CaseRoomKind, caseId: string): Promise<string | undefined> {
    const bot = this.client.getSafeUserId();
    const { joined_rooms: joined } = await this.client.getJoinedRooms();
    for (const roomId of joined) {
      // The sync may have brought the room while the server was asked: read it again.
      const known = this.client.getRoom(roomId);
      if (known?.getMyMembership() === "join") {
        if (RoomMaker.caseOf(known, bot, kind) !== caseId) continue;
        this.log.info("found a case room made before a restart", { caseId, roomId });
        return roomId;
      }
      try {
        // The marker counts only when the bot set it (as `caseOf` reads it from the sync).
        const state = await this.client.roomState(roomId);
        const marker = state.find(
          (event) => event.type === CASE_ROOM_STATE[kind] && event.state_key === "",
        );
        if (marker?.sender === bot && marker.content["case"] === caseId) {
          this.log.info("found a case room made before a restart", { caseId, roomId });
          await this.untilSynced(
            () => this.client.getRoom(roomId)?.getMyMembership() === "join",
            "a case room made before a restart",
          );
          return roomId;
        }
      } catch (error) {
        this.log.warn("could not read a joined room's state", { roomId, error });
      }
    }
    return undefined;
  }

  /**
   * Invites a person unless they are already in (or invited to) the room, and waits until the
   * sync has brought the invite: a message encrypted before the client knows the member would
   * give no key to their devices (on Synapse the sync often brings the invite a moment later).
   */
  async invite(roomId: string, userId: string): Promise<void> {
    if (this.isMemberOrInvited(roomId, userId)) return;
    await this.client.invite(roomId, userId);
    await this.untilSynced(() => this.isMemberOrInvited(roomId, userId), "an invite");
  }

  private isMemberOrInvited(roomId: string, userId: string): boolean {
    const membership = this.client.getRoom(roomId)?.getMember(userId)?.membership;
    return membership === "join" || membership === "invite";
  }

  /**
   * Makes a room and waits until the sync has brought it with everyone it invited, so that the
   * next search finds it and its first message is encrypted to the invited people's devices.
   */
  private async create(options: ICreateRoomOpts): Promise<string> {
    const { room_id: roomId } = await this.client.createRoom(options);
    this.log.info("made a room", { roomId });
    const invited = options.invite ?? [];
    await this.untilSynced(
      () =>
        this.client.getRoom(roomId)?.getMyMembership() === "join" &&
        invited.every((userId) => this.isMemberOrInvited(roomId, userId)),
      "a created room",
    );
    return roomId;
  }

  /** Resolves once `ready()` holds, checked after each room and sync the client takes in. */
  private untilSynced(ready: () => boolean, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        done();
        resolve();
      };
      const done = (): void => {
        clearTimeout(timer);
        this.client.off(ClientEvent.Room, check);
        this.client.off(ClientEvent.Sync, check);
        this.client.off(RoomStateEvent.Members, check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what} did not arrive through sync`));
      }, ROOM_SYNC_TIMEOUT_MS);
      this.client.on(ClientEvent.Room, check);
      this.client.on(ClientEvent.Sync, check);
      this.client.on(RoomStateEvent.Members, check);
    });
  }
}

/**
 * How a case room is made: encrypted, invite-only, history from joining, no guests, the marker,
 * and power levels that leave invites, kicks, bans, redactions and all state to the bot.
 */
export function caseRoomOptions(kind: CaseRoomKind, caseId: string, bot: string): ICreateRoomOpts {
  return {
    preset: Preset.PrivateChat,
    name: caseId,
    initial_state: [
      encryption(),
      {
        type: EventType.RoomHistoryVisibility,
        state_key: "",
        content: { history_visibility: "joined" },
      },
      { type: EventType.RoomJoinRules, state_key: "", content: { join_rule: "invite" } },
      { type: EventType.RoomGuestAccess, state_key: "", content: { guest_access: "forbidden" } },
      { type: CASE_ROOM_STATE[kind], state_key: "", content: { case: caseId } },
    ],
    power_level_content_override: botOnlyPowers(bot),
  };
}

/** Everyone may write; invites, kicks, bans, redactions of others and all state are the bot's. */
function botOnlyPowers(bot: string): Record<string, unknown> {
  return {
    users: { [bot]: 100 },
    users_default: 0,
    events_default: 0,
    state_default: 100,
    invite: 100,
    kick: 100,
    ban: 100,
    redact: 100,
    events: {
      [EventType.RoomMessage]: 0,
      "m.room.encrypted": 0,
      [EventType.Reaction]: 0,
      [EventType.RoomRedaction]: 0,
    },
    notifications: { room: 100 },
  };
}

function encryption() {
  return {
    type: EventType.RoomEncryption,
    state_key: "",
    content: { algorithm: "m.megolm.v1.aes-sha2" },
  };
}

/** Tries of an invite the homeserver failed (not refused) before the caller is told. */
const INVITE_TRIES = 4;
