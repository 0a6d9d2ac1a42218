import { ClientEvent, Method, RoomEvent, type MatrixClient, type Room } from "matrix-js-sdk";
import type { Directory } from "../config/directory.js";
import { homeserverFailed } from "../failures/homeserver-errors.js";
import type { Logger } from "../log/log.js";

/** Why an invite is refused: said in the refusal (the inviter sees it as the reason). */
const REFUSAL =
  "dsx-bot works only with the organisations of the Digital Security Exchange. If you are being harassed in a DSX space, write to the bot from a room you share with it.";

/**
 * Accepts invites to direct messages from people the directory knows, and from anyone who shares
 * a configured DSX room with the bot (they may need to report harassment); refuses others
 * politely (a leave with a reason). Invites to configured rooms are accepted at start.
 */
export class Invites {
  constructor(
    private readonly client: MatrixClient,
    private readonly directory: () => Directory,
    private readonly configuredRoomIds: () => readonly string[],
    private readonly log: Logger,
  ) {}

  /** Invites seen in the sync response being processed, answered once it is all in. */
  private readonly arrived = new Set<Room>();
  /** Answers the homeserver failed, to try again: the timer, by room. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private deciding = false;

  /**
   * Listens for new invites; call before `startClient`. An invite is answered after the whole
   * sync response that brought it: the inviter's joining a DSX room may come in the same
   * response, in a room processed after the invite.
   */
  attach(): void {
    this.client.on(RoomEvent.MyMembership, (room, membership) => {
      if (membership === "invite") this.arrived.add(room);
    });
    this.client.on(ClientEvent.Sync, () => {
      // Until `answerPending`, invites wait: the bot has not joined its rooms yet, and would
      // refuse, for good, someone who shares one with it.
      if (!this.deciding) return;
      const rooms = [...this.arrived];
      this.arrived.clear();
      for (const room of rooms) if (room.getMyMembership() === "invite") void this.answer(room);
    });
  }

  /**
   * Answers the invites that arrived while the bot was down or starting, and from now on each
   * as it comes; call once the configured rooms are joined.
   */
  async answerPending(): Promise<void> {
    this.deciding = true;
    this.arrived.clear();
    for (const room of this.client.getRooms()) {
      if (room.getMyMembership() === "invite") await this.answer(room);
    }
  }

  /** Stops trying failed answers again (the next start answers what is still pending). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private async answer(room: Room, attempts = 0): Promise<void> {
    const inviter = room.getMember(this.client.getSafeUserId())?.events.member?.getSender();
    try {
      const accept =
        this.configuredRoomIds().includes(room.roomId) ||
        (inviter !== undefined &&
          (this.directory().isKnown(inviter) || (await this.sharesDsxRoomOnServer(inviter))));
      if (accept) {
        await this.client.joinRoom(room.roomId);
        this.log.info("joined on invitation", { roomId: room.roomId });
      } else {
        // The SDK's leave() takes no reason; the spec's endpoint does, and Element shows it.
        const path = `/rooms/${encodeURIComponent(room.roomId)}/leave`;
        await this.client.http.authedRequest(Method.Post, path, undefined, { reason: REFUSAL });
        this.log.info("refused an invitation from someone the directory does not know", {
          roomId: room.roomId,
        });
      }
    } catch (error) {
      // A homeserver that fails (5xx, rate limit, no answer, a federation timeout) is asked
      // again: else the person who invited the bot waits for an answer until its next start.
      const transient = homeserverFailed(error);
      this.log.warn("could not answer an invitation", {
        roomId: room.roomId,
        error,
        ...(transient ? { ms: retryDelay(attempts) } : {}),
      });
      if (transient && !this.stopped) this.retry(room, attempts);
    }
  }

  /** Answers again after the delay of the `attempts` failed so far. */
  private retry(room: Room, attempts: number): void {
    clearTimeout(this.retries.get(room.roomId));
    const timer = setTimeout(() => {
      this.retries.delete(room.roomId);
      if (!this.stopped && room.getMyMembership() === "invite")
        void this.answer(room, attempts + 1);
    }, retryDelay(attempts));
    timer.unref();
    this.retries.set(room.roomId, timer);
  }

  /**
   * Whether the person is in a configured DSX room, as the homeserver says: a refusal is final
   * for them, and the client may not have every member of a room it joined a moment ago.
   */
  private async sharesDsxRoomOnServer(userId: string): Promise<boolean> {
    for (const roomId of this.configuredRoomIds()) {
      const members = await this.client.getJoinedRoomMembers(roomId).catch((error: unknown) => {
        // A room the bot could not join (said at start) tells nothing; a failing server is
        // asked again with the whole answer.
        if (homeserverFailed(error)) throw error;
        const status = (error as { httpStatus?: number }).httpStatus;
        if (status !== undefined && status >= 400 && status < 500) return;
        throw error;
      });
      if (members !== undefined && userId in members.joined) return true;
    }
    return false;
  }

  /** Whether the person is in one of the configured DSX rooms with the bot. */
  sharesDsxRoom(userId: string): boolean {
    return this.configuredRoomIds().some((roomId) => {
      const membership = this.client.getRoom(roomId)?.getMember(userId)?.membership;
      return membership === "join";
    });
  }
}

/** One second, doubling up to five minutes. */
function retryDelay(attempts: number): number {
  return Math.min(1000 * 2 ** attempts, 5 * 60_000);
}
