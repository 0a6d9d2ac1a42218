import { DEFAULT_LANGUAGE } from "../config/default-language.js";
import { Method, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { Say } from "../chat/bot-message.js";
import type { Catalog } from "../chat/catalog.js";
import { renderText } from "../chat/render.js";
import type { Directory } from "../config/directory.js";
import { presentMembers } from "../matrix/room-facts.js";
import type { Logger } from "../log/log.js";
import { isInAudience, type Exchange } from "../policy/audience.js";
import { tlpName, tlpTag, type TlpLabel, type TlpNames } from "../policy/tlp.js";
import { payloadText, type ScheduledTask } from "../schedule/scheduler.js";
import { audit } from "../store/audit-log.js";
import { transaction } from "../store/transaction.js";
import type { RoomEventHook } from "../matrix/inbox.js";

/** The job that checks a guarded room's members again (after its label was raised). */
export const GUARD_JOB = "room.guard";

/** What a guarded room is held to: the label of the material in it, and its case's exchange. */
export interface GuardedRoom {
  readonly label: TlpLabel;
  readonly caseId: string;
  readonly exchange: Exchange | undefined;
}

/** Workflows name the rooms they guard (ticket rooms, report rooms) and what they hold. */
export type GuardedRooms = (roomId: string) => Promise<GuardedRoom | undefined>;

/** Someone the guard removed from a room. */
export interface Removal {
  readonly roomId: string;
  readonly userId: string;
  readonly label: TlpLabel;
  readonly caseId: string;
}

export interface RoomGuardOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly guarded: GuardedRooms;
  readonly directory: () => Directory;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly say: Say;
  readonly log: Logger;
}

/**
 * The guard of rooms that hold RED or AMBER material (DESIGN.md, TLP enforcement, 3): whoever
 * joins, is invited or knocks while outside the room's audience is removed at once (whoever let
 * them in, a participant with power or a server that forced them), the room's outbound Megolm
 * session is discarded so that no later key reaches them, the room is told, and it is audited.
 * The removal itself happens before the event's transaction (it is network work, safe to
 * repeat); the record of it in the transaction.
 */
export class RoomGuard {
  constructor(private readonly options: RoomGuardOptions) {}

  /** The guard as a room-event hook (membership events). */
  hook(): RoomEventHook {
    return {
      prepare: (event) => this.check(event),
      handle: (_event, manager, prepared) =>
        prepared === undefined ? Promise.resolve() : this.record(manager, [prepared as Removal]),
    };
  }

  /** The job that sweeps a room again (payload `roomId`). */
  task(): ScheduledTask {
    return {
      kind: GUARD_JOB,
      prepare: (job) => this.sweep(payloadText(job, "roomId")),
      execute: (_job, manager, removals) => this.record(manager, removals as Removal[]),
    };
  }

  /** Sweeps every room at start: someone may have come in while the bot was down. */
  async sweepAll(roomIds: readonly string[]): Promise<void> {
    for (const roomId of roomIds) {
      const removals = await this.sweep(roomId);
      if (removals.length > 0)
        await transaction(this.options.dataSource, (manager) => this.record(manager, removals));
    }
  }

  private async check(event: MatrixEvent): Promise<Removal | undefined> {
    if (event.getType() !== "m.room.member") return undefined;
    const membership: unknown = event.getContent()["membership"];
    if (membership !== "join" && membership !== "invite" && membership !== "knock")
      return undefined;
    const roomId = event.getRoomId() ?? "";
    const userId = event.getStateKey() ?? "";
    const guard = await this.options.guarded(roomId);
    if (!guard || this.inside(guard, userId)) return undefined;
    // Only if they are still there: the event may be old (a catch-up after a restart).
    const now = this.options.client.getRoom(roomId)?.getMember(userId)?.membership;
    if (now !== "join" && now !== "invite" && now !== "knock") return undefined;
    await this.remove(roomId, userId, guard.label);
    return { roomId, userId, label: guard.label, caseId: guard.caseId };
  }

  /** Removes everyone present who is outside the room's audience. */
  private async sweep(roomId: string): Promise<Removal[]> {
    const guard = await this.options.guarded(roomId);
    const room = this.options.client.getRoom(roomId);
    if (!guard || !room || room.getMyMembership() !== "join") return [];
    const removals: Removal[] = [];
    for (const { userId } of presentMembers(room)) {
      if (this.inside(guard, userId)) continue;
      await this.remove(roomId, userId, guard.label);
      removals.push({ roomId, userId, label: guard.label, caseId: guard.caseId });
    }
    return removals;
  }

  private inside(guard: GuardedRoom, userId: string): boolean {
    const bot = this.options.client.getSafeUserId();
    return isInAudience(guard.label, userId, guard.exchange, this.options.directory(), bot);
  }

  /**
   * Discards the outbound session, removes the person, and discards again: whatever is sent
   * next (by the bot) starts a new session shared only with those still in the room.
   */
  private async remove(roomId: string, userId: string, label: TlpLabel): Promise<void> {
    const { client, log } = this.options;
    const crypto = client.getCrypto();
    await crypto?.forceDiscardSession(roomId);
    const reason = `Not inside this room's TLP:${tlpName(label, this.options.tlpNames)} audience`;
    const path = `/rooms/${encodeURIComponent(roomId)}/kick`;
    await client.http.authedRequest(Method.Post, path, undefined, { user_id: userId, reason });
    await crypto?.forceDiscardSession(roomId);
    log.warn("removed someone outside a room's TLP audience", { roomId, label });
  }

  private async record(manager: EntityManager, removals: readonly Removal[]): Promise<void> {
    for (const removal of removals) {
      await audit(manager, {
        actor: removal.userId,
        action: "tlp.removed",
        caseId: removal.caseId,
        roomId: removal.roomId,
        outcome: removal.label,
      });
      await this.options.say(manager, removal.roomId, {
        label: "WHITE",
        caseId: removal.caseId,
        step: "removed",
        // Said to everyone left in the room: the guard knows no one language of theirs.
        text: renderText(this.options.catalog, DEFAULT_LANGUAGE, {
          key: "guard.removed",
          params: {
            user: removal.userId,
            label: tlpTag(removal.label, this.options.tlpNames),
          },
        }),
      });
    }
  }
}
