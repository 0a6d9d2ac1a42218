import { EventTimeline, type MatrixClient } from "matrix-js-sdk";
import type { Logger } from "../log/log.js";

/** How a ban from every moderated room went: rooms where the person is banned, rooms refused. */
export interface BanTally {
  readonly banned: number;
  /** Rooms where the bot lacks the power to ban. */
  readonly unable: number;
}

/** Bans from the rooms the bot moderates: what an expulsion asks of the homeserver. */
export interface RoomBans {
  /** Bans a person from every room the bot moderates; a room where they are banned is skipped. */
  banEverywhere(userId: string, reason: string): Promise<BanTally>;
}

/** {@link RoomBans} through the bot's Matrix client. */
export class MatrixRoomBans implements RoomBans {
  constructor(
    private readonly client: MatrixClient,
    /** The rooms the bot moderates (configured and case rooms). */
    private readonly moderatedRooms: () => string[],
    private readonly log: Logger,
  ) {}

  async banEverywhere(userId: string, reason: string): Promise<BanTally> {
    const { client } = this;
    const bot = client.getSafeUserId();
    let banned = 0;
    let unable = 0;
    for (const roomId of this.moderatedRooms()) {
      const room = client.getRoom(roomId);
      const state = room?.getLiveTimeline().getState(EventTimeline.FORWARDS);
      if (!room || !state) continue;
      if (room.getMember(userId)?.membership === "ban") {
        banned++;
        continue;
      }
      const power = room.getMember(bot)?.powerLevel ?? 0;
      if (!state.hasSufficientPowerLevelFor("ban", power)) {
        unable++;
        continue;
      }
      await client.ban(roomId, userId, reason);
      banned++;
    }
    if (unable > 0)
      this.log.warn("could not ban in some rooms: not enough power", { count: unable });
    return { banned, unable };
  }
}
