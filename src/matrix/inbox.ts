import {
  Direction,
  MatrixEventEvent,
  RoomEvent,
  type MatrixClient,
  type MatrixEvent,
  type Room,
} from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "../log/log.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { logRetriedFailure, storageUnavailable } from "../failures/storage-errors.js";
import { transaction } from "../store/transaction.js";
import { HandledEvents } from "./handled-events.js";
import { isTimelineStart, missedBefore, type GapReader } from "./timeline-gap.js";
import { Turns } from "./turns.js";
import { UndecryptableEvents } from "./undecryptable-events.js";

/** What the bot does with an event; runs inside the transaction that records it as handled. */
export interface EventHandler {
  /**
   * Network work an event needs before its transaction (downloading a file), so that the write
   * transaction is not held while waiting; its result is handed to `handle`. It may run again
   * for the same event after a crash, so what it does must be safe to repeat.
   */
  prepare?(event: MatrixEvent): Promise<unknown>;
  handle(event: MatrixEvent, manager: EntityManager, prepared?: unknown): Promise<void>;
  /** The handler failed on this event (a bug): say sorry, within a new transaction. */
  failed(event: MatrixEvent, manager: EntityManager): Promise<void>;
  /** Ask the sender of an event the bot cannot decrypt to send it again. */
  askToResend(
    event: { roomId: string; sender: string; ts: number },
    manager: EntityManager,
  ): Promise<void>;
}

/**
 * A workflow's interest in room events other than messages (joins to its rooms, say): network
 * work before the event's transaction, and what it records in it.
 */
export interface RoomEventHook {
  prepare?(event: MatrixEvent): Promise<unknown>;
  handle(event: MatrixEvent, manager: EntityManager, prepared: unknown): Promise<void>;
}

export interface InboxOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly cipher: FieldCipher;
  readonly handler: EventHandler;
  readonly log: Logger;
  /** After handling (new messages may be waiting in the outbox). */
  readonly afterHandled: () => void;
  /** How long an undecryptable event waits for its key before the sender is asked to resend. */
  readonly resendAfterMs: number;
  /**
   * The first start after a restore: the database is as old as the backup, but the bot's
   * messages since then are in the rooms' timelines. In each room, what came before the bot's
   * own latest message it had answered already: that is recorded as handled, not answered
   * again; what came after it is handled as usual.
   */
  readonly afterRestore?: boolean;
}

/** Undecryptable events are kept this long after the sender was asked to resend. */
const UNDECRYPTABLE_KEPT_MS = 7 * 24 * 3600_000;
/** Rooms caught up at once at start. */
const CATCH_UP_ROOMS_AT_ONCE = 8;
/** First wait before an event the database could not take is tried again (doubles to 30 s). */
const STORAGE_RETRY_BASE_MS = 500;
const STORAGE_RETRY_MAX_MS = 30_000;

/**
 * Every event of every room the bot is in, handled at least once and idempotently (invariant 2):
 * one queue per room keeps each room's order; the event ID is recorded in the transaction of the
 * event's effects; gaps (a `limited` sync, a restart) are filled from `/messages` back to the
 * last handled event; events that cannot be decrypted yet are kept until they can.
 */
export class Inbox {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly watching = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** The retry in progress: a slow one (a busy database) must not overlap the next tick. */
  private retrying: Promise<void> | undefined;
  private stopped = false;
  /** Wakes the waits for the database when the inbox stops. */
  private readonly waking = new Set<() => void>();
  /** Events handled (and those whose handler failed) since start, for the metrics endpoint. */
  readonly counts = { handled: 0, failed: 0 };

  /**
   * Until `catchUp`, events are not taken one by one: the first sync can bring them before the
   * bot has joined its configured rooms (a handler that cannot find the triage room would lose
   * its message), and before the gap behind them is filled. `catchUp` finds them in the rooms'
   * timelines, after the gap, in order.
   */
  private caughtUp = false;

  private readonly undecryptable: UndecryptableEvents;
  private readonly handled: HandledEvents;
  private readonly gapReader: GapReader;

  constructor(private readonly options: InboxOptions) {
    this.undecryptable = new UndecryptableEvents(options.dataSource, options.cipher);
    this.handled = new HandledEvents(options.dataSource);
    this.gapReader = { client: options.client, log: options.log, handled: this.handled };
  }

  /** Listens to the client; call before `startClient` so that no event is missed. */
  attach(): void {
    const { client } = this.options;
    client.on(RoomEvent.Timeline, (event, room, toStartOfTimeline, _removed, data) => {
      if (toStartOfTimeline === true || data.liveEvent !== true || !room || !this.caughtUp) return;
      this.enqueue(room.roomId, () => this.process(event));
    });
    client.on(RoomEvent.TimelineReset, (room) => {
      if (!room || !this.caughtUp) return;
      const token = room.getLiveTimeline().getPaginationToken(Direction.Backward);
      this.enqueue(room.roomId, () => this.fillGap(room.roomId, token));
    });
  }

  /**
   * After the first sync: handles what the stored timelines hold but was not handled, fills the
   * gap before them, and retries stored undecryptable events. Then retries those periodically.
   */
  async catchUp(): Promise<void> {
    this.caughtUp = true;
    // A few rooms at a time: with a thousand rooms, all at once would open a connection (and
    // hold its buffers) per room.
    const turns = new Turns(CATCH_UP_ROOMS_AT_ONCE);
    for (const room of this.options.client.getRooms()) {
      if (room.getMyMembership() !== "join") continue;
      this.enqueue(room.roomId, () => turns.take(() => this.catchUpRoom(room)));
    }
    await this.retryUndecryptable();
    await this.idle();
    // Often enough that a sender is asked to resend close to the configured wait.
    const every = Math.min(30_000, Math.max(1000, this.options.resendAfterMs / 4));
    this.retryTimer = setInterval(() => void this.retryUndecryptableLater(), every);
  }

  /** Resolves when every queued event has been handled. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Stops the periodic retries and waits for the events in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retryTimer);
    for (const wake of this.waking) wake();
    await this.retrying;
    await this.idle();
  }

  private enqueue(roomId: string, task: () => Promise<void>): void {
    const previous = this.queues.get(roomId) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error: unknown) => {
        this.options.log.error("inbox task failed", { roomId, error });
      })
      .finally(() => {
        if (this.queues.get(roomId) === next) this.queues.delete(roomId);
      });
    this.queues.set(roomId, next);
  }

  private async catchUpRoom(room: Room): Promise<void> {
    const events = room.getLiveTimeline().getEvents();
    // One query for the room rather than one per event: at start every room of the bot (a
    // thousand ticket rooms) is looked through. `process` checks each unhandled one again.
    const handled = await this.handled.among(events.map((e) => e.getId() ?? ""));
    const first = events.find((e) => !e.getId()?.startsWith("~"));
    const gap =
      !first ||
      !(
        handled.has(first.getId() ?? "") ||
        isTimelineStart(first, this.options.client.getSafeUserId())
      )
        ? await missedBefore(
            this.gapReader,
            room.roomId,
            room.getLiveTimeline().getPaginationToken(Direction.Backward),
          )
        : [];
    let backlog = [...gap, ...events.filter((event) => !handled.has(event.getId() ?? ""))];
    if (this.options.afterRestore === true)
      backlog = await this.recordAnsweredBeforeRestore(room.roomId, backlog);
    for (const event of backlog) await this.process(event);
  }

  /**
   * After a restore (`afterRestore`): records the events before the bot's own latest message
   * as handled, without handling them; returns those after it, to be handled. The inbox
   * handles a room's events in order, so those the bot answered come before its answers.
   */
  private async recordAnsweredBeforeRestore(
    roomId: string,
    backlog: readonly MatrixEvent[],
  ): Promise<MatrixEvent[]> {
    const botUserId = this.options.client.getUserId();
    const latestOwn = backlog.findLastIndex((event) => event.getSender() === botUserId);
    const answered = backlog
      .slice(0, Math.max(0, latestOwn))
      .filter((event) => event.getSender() !== botUserId)
      .map((event) => event.getId() ?? "")
      .filter((eventId) => eventId !== "" && !eventId.startsWith("~"));
    if (answered.length > 0) {
      await this.handled.recordAll(roomId, answered);
      this.options.log.info("after a restore: events answered before it are not handled again", {
        roomId,
        count: answered.length,
      });
    }
    return backlog.slice(latestOwn + 1);
  }

  /** Fetches back from `token` to the last handled event (or the bot's join) and handles the rest in order. */
  private async fillGap(roomId: string, token: string | null): Promise<void> {
    for (const event of await missedBefore(this.gapReader, roomId, token))
      await this.process(event);
  }

  /**
   * Handles an event, waiting for the database while it cannot take writes (locked by another
   * connection, a full disk, a server that is down): the event stays unhandled meanwhile (the
   * homeserver keeps it), and the room's later events wait behind it, so nothing is lost,
   * doubled or reordered. A stop ends the wait; the next start catches the event up.
   */
  private async process(event: MatrixEvent): Promise<void> {
    const { log } = this.options;
    const roomId = event.getRoomId() ?? "";
    const eventId = event.getId() ?? "";
    for (let attempt = 1; ; attempt++) {
      try {
        await this.processOnce(event);
        if (attempt > 1)
          log.info("the database took the event after waiting", { roomId, eventId, attempt });
        return;
      } catch (error) {
        const problem = storageUnavailable(error);
        if (problem === undefined || this.stopped) throw error;
        const ms = Math.min(
          STORAGE_RETRY_MAX_MS,
          STORAGE_RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 6),
        );
        log.warn("the database cannot record the event; it stays unhandled and is tried again", {
          roomId,
          eventId,
          reason: problem,
          attempt,
          ms,
          error,
        });
        if (await this.pause(ms)) return; // stopped: caught up on the next start
      }
    }
  }

  /** Waits `ms`, or less if the inbox stops; resolves with whether it stopped. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waking.delete(wake);
        resolve(this.stopped);
      };
      const timer = setTimeout(wake, ms);
      this.waking.add(wake);
    });
  }

  private async processOnce(event: MatrixEvent): Promise<void> {
    const { client, dataSource, handler, log } = this.options;
    const eventId = event.getId();
    const roomId = event.getRoomId();
    if (!eventId || !roomId || eventId.startsWith("~")) return;
    if (event.getSender() === client.getUserId()) return;
    if (await this.handled.has(eventId)) return;

    if (event.isEncrypted()) {
      await client.decryptEventIfNeeded(event);
      if (event.isDecryptionFailure()) {
        await this.keepUndecryptable(event);
        return;
      }
    }
    try {
      const prepared = handler.prepare ? await handler.prepare(event) : undefined;
      await transaction(dataSource, async (manager) => {
        await this.handled.record(manager, eventId, roomId);
        await this.undecryptable.forgetIn(manager, eventId);
        await handler.handle(event, manager, prepared);
      });
      this.counts.handled++;
    } catch (error) {
      // The database, not the handler, failed: not the event's fault, tried again (process).
      if (storageUnavailable(error) !== undefined) throw error;
      if (await this.handled.has(eventId)) return; // handled meanwhile (a duplicate delivery)
      log.error("handling an event failed; recorded and apologised", { roomId, eventId, error });
      await transaction(dataSource, async (manager) => {
        await this.handled.record(manager, eventId, roomId);
        await this.undecryptable.forgetIn(manager, eventId);
        await handler.failed(event, manager);
      });
      this.counts.failed++;
    }
    this.options.afterHandled();
  }

  /** Keeps the event (sealed) and handles it as soon as its key arrives. */
  private async keepUndecryptable(event: MatrixEvent): Promise<void> {
    const eventId = event.getId() ?? "";
    const roomId = event.getRoomId() ?? "";
    if (await this.undecryptable.keep(event))
      this.options.log.warn("kept an event that cannot be decrypted yet", { roomId, eventId });
    if (!this.watching.has(eventId)) {
      this.watching.add(eventId);
      event.once(MatrixEventEvent.Decrypted, (decrypted) => {
        this.watching.delete(eventId);
        if (!decrypted.isDecryptionFailure()) this.enqueue(roomId, () => this.process(decrypted));
      });
    }
  }

  /**
   * A periodic retry: its failure (a database away for a while) waits for the next one. A tick
   * while the previous retry still runs is skipped: two at once would both ask the sender to
   * resend the same message.
   */
  private async retryUndecryptableLater(): Promise<void> {
    if (this.retrying !== undefined) return;
    this.retrying = this.retryUndecryptable()
      .catch((error: unknown) => {
        logRetriedFailure(this.options.log, error, {
          waiting: "cannot look at undecryptable events now; will try again",
          failed: "looking at undecryptable events failed",
        });
      })
      .finally(() => {
        this.retrying = undefined;
      });
    await this.retrying;
  }

  /** Tries the kept events again; asks senders to resend those whose key has not come in time. */
  private async retryUndecryptable(): Promise<void> {
    const { client, handler, resendAfterMs } = this.options;
    const mapper = client.getEventMapper();
    for (const row of await this.undecryptable.all()) {
      const now = Date.now();
      if (row.resendAskedAt !== null && now - row.resendAskedAt > UNDECRYPTABLE_KEPT_MS) {
        await this.undecryptable.forget(row.eventId);
        continue;
      }
      if (!this.watching.has(row.eventId)) {
        const raw = this.undecryptable.raw(row);
        this.enqueue(row.roomId, () => this.process(mapper(raw)));
      }
      await this.undecryptable.countAttempt(row);
      if (row.resendAskedAt === null && now - row.firstSeenAt >= resendAfterMs) {
        await transaction(this.options.dataSource, async (manager) => {
          await this.undecryptable.resendAsked(manager, row, now);
          await handler.askToResend(
            { roomId: row.roomId, sender: row.sender, ts: row.firstSeenAt },
            manager,
          );
        });
        this.options.afterHandled();
      }
    }
  }
}
