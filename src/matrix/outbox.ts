import type { MatrixClient } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { BotMessage } from "../chat/bot-message.js";
import { toContents } from "../chat/message-parts.js";
import type { SendRefusal } from "../chat/refusal-text.js";
import type { Rendered } from "../chat/render.js";
import type { Directory } from "../config/directory.js";
import type { Logger } from "../log/log.js";
import type { AudienceDecision, Exchange, RefusedDecision } from "../policy/audience.js";
import { TLP_LABELS, type TlpLabel, type TlpNames } from "../policy/tlp.js";
import { AttachmentStore } from "../store/attachment-store.js";
import type { OutgoingMessage } from "../store/entities/outgoing-message.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { logRetriedFailure, storageUnavailable } from "../failures/storage-errors.js";
import { CorruptStoredValue } from "../store/stored-json.js";
import { transaction } from "../store/transaction.js";
import { contentToSend, leaveRoom, sendUnderTransactionId } from "./event-sending.js";
import { OutgoingRows, type SealedMessage } from "./outgoing-rows.js";
import { decideSend, type SendRules } from "./send-decision.js";
import { SentMarks } from "./sent-marks.js";

/**
 * Finds the exchange (participants and organisations) of a case; workflows provide it. The room
 * matters where one case has rooms of different audiences (a private warning's own room).
 */
export interface ExchangeResolver {
  exchangeOf(caseId: string, roomId?: string): Promise<Exchange | undefined>;
}

export interface OutboxOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly cipher: FieldCipher;
  readonly directory: () => Directory;
  readonly exchanges: ExchangeResolver;
  /**
   * The room's explanation of a refused send (chat renders it, in the requester's language):
   * it says nothing of the withheld message but its label.
   */
  readonly explain: (refusal: SendRefusal) => Promise<Rendered>;
  readonly tlpNames: TlpNames;
  readonly log: Logger;
  /**
   * Rooms whose guard removes outsiders: a message there waits a few rounds for the removal
   * instead of being refused at once.
   */
  readonly guarded?: (roomId: string) => boolean;
  /**
   * The most restrictive label a room may ever receive, whoever is in it: the alert rooms and
   * the donor room take GREEN (the public room only WHITE), never RED or AMBER.
   */
  readonly ceiling?: (roomId: string) => TlpLabel | undefined;
  /**
   * Who alone may be in a room for anything labelled to be sent there, whatever the label's
   * audience: the triage room is the DSX team's, and a partner in it would read other
   * organisations' GREEN notices and ticket lists.
   */
  readonly roomAudience?: (roomId: string) => ((userId: string) => boolean) | undefined;
  /** Delay before retrying after the homeserver failed (doubles up to a minute). */
  readonly retryBaseMs?: number;
}

/**
 * The one way the bot sends anything (invariant 1). A message is first recorded in the
 * caller's transaction (so a decision and its messages are kept or lost together), then sent in
 * order. Just before each send the room's live membership is checked against the message's TLP
 * label; a refusal is audited and explained in the room. The transaction ID recorded with the
 * message makes a send repeated after a crash land only once.
 */
export class Outbox {
  private running: Promise<void> | undefined;
  /** Counts flush requests: one made during a drain's scan makes it look again before it ends. */
  private flushRequests = 0;
  /** Wakes a running drain that waits for its send chains. */
  private rescan: (() => void) | undefined;
  /** Rooms with a send chain running: one message at a time per room keeps each room's order. */
  private readonly sending = new Map<string, Promise<void>>();
  /** Rooms messages were queued for since the last look, and whether to read them all instead. */
  private readonly touched = new Set<string>();
  /**
   * Rooms `enqueue` wrote to since the last `flush`. A drain running meanwhile may look at such
   * a room before the caller's transaction commits, find nothing, and take it off `touched`;
   * the caller's `flush` after the commit touches it again, so the row is not left waiting.
   */
  private readonly enqueuedSinceFlush = new Set<string>();
  private scanAll = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private retryAt = 0;
  private stopped = false;
  /** Messages refused since start, by label, for the metrics endpoint. */
  readonly refusedByLabel: Record<TlpLabel, number> = Object.fromEntries(
    TLP_LABELS.map((label) => [label, 0]),
  ) as Record<TlpLabel, number>;

  private readonly attachments: AttachmentStore;
  private readonly sentMarks: SentMarks;
  private readonly rows: OutgoingRows;
  private readonly rules: SendRules;

  constructor(private readonly options: OutboxOptions) {
    this.attachments = new AttachmentStore(options.cipher);
    this.sentMarks = new SentMarks(options.dataSource);
    this.rows = new OutgoingRows(options.dataSource, options.cipher);
    this.rules = {
      client: options.client,
      directory: options.directory,
      exchangeOf: (caseId, roomId) => options.exchanges.exchangeOf(caseId, roomId),
      ceiling: options.ceiling,
      roomAudience: options.roomAudience,
    };
  }

  /** Records a message to send, as part of the caller's transaction. */
  async enqueue(
    manager: EntityManager,
    roomId: string,
    message: BotMessage,
    requester: string | null,
  ): Promise<void> {
    // A message too large for one event goes as numbered parts, one row each, in order.
    const contents = toContents(message, this.options.tlpNames);
    for (const [i, content] of contents.entries()) {
      const last = i === contents.length - 1;
      await this.rows.insert(manager, roomId, message, content, requester, last);
    }
    this.touched.add(roomId);
    this.enqueuedSinceFlush.add(roomId);
  }

  /**
   * Sends what is pending, each room's messages in order, several rooms at once (a send waits
   * mostly on the homeserver and the crypto store, so one room need not wait for another's).
   * Concurrent calls share one run, which resolves when nothing more can be sent now. Called
   * after the transaction that enqueued has committed.
   */
  flush(): Promise<void> {
    // While backing off after a failure, new messages wait for the retry timer too.
    if (this.stopped || this.backingOff()) return Promise.resolve();
    for (const roomId of this.enqueuedSinceFlush) this.touched.add(roomId);
    this.enqueuedSinceFlush.clear();
    this.flushRequests++;
    if (this.running) {
      this.rescan?.();
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops retrying and waits for the send in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.rescan?.();
    await this.running;
  }

  private backingOff(): boolean {
    return Date.now() < this.retryAt;
  }

  /**
   * Sends until nothing is pending or a send must wait. A database that cannot be read or
   * written (locked, a full disk, a server down) leaves the message pending and is retried with
   * the same backoff as the homeserver: `flush()` never rejects, which would end the process.
   */
  private async drain(): Promise<void> {
    try {
      await this.drainPending();
    } catch (error) {
      this.cannotDrain(error);
    }
  }

  private cannotDrain(error: unknown): void {
    logRetriedFailure(this.options.log, error, {
      waiting: "the outbox cannot use the database; will retry",
      failed: "the outbox failed; will retry",
    });
    this.scheduleRetry();
  }

  /** Starts a send chain for each room with pending messages (up to a limit), until all end. */
  private async drainPending(): Promise<void> {
    for (;;) {
      const requests = this.flushRequests;
      if (!this.stopped && !this.backingOff()) {
        const touched = [...this.touched];
        this.touched.clear();
        const rooms = this.scanAll ? await this.rows.roomsWithPending() : touched;
        this.scanAll = false;
        for (const roomId of rooms) {
          // A busy room is looked at again when its chain ends (it may have missed the new row).
          if (this.sending.has(roomId) || this.sending.size >= MAX_ROOMS_IN_FLIGHT) {
            this.touched.add(roomId);
            continue;
          }
          const chain = this.drainRoom(roomId).finally(() => {
            this.sending.delete(roomId);
          });
          this.sending.set(roomId, chain);
        }
      }
      if (this.flushRequests !== requests) continue;
      if (this.sending.size === 0) return;
      // Until a chain ends (its room may have more) or a flush says there is more to send.
      await new Promise<void>((resolve) => {
        this.rescan = resolve;
        for (const chain of this.sending.values()) void chain.then(resolve);
      });
      this.rescan = undefined;
    }
  }

  /**
   * Sends one room's pending messages in order; stops at a failure (the retry timer resumes).
   * A message's "sent" mark is committed in the background, so the next one goes at once; the
   * chain ends only when its marks are in, so no scan sees a sent message as pending.
   */
  private async drainRoom(roomId: string): Promise<void> {
    let after = 0;
    try {
      for (;;) {
        if (this.stopped || this.backingOff()) return;
        const row = await this.rows.nextPending(roomId, after);
        if (!row) return;
        const outcome = await this.sendOne(row);
        if (outcome === "retry") {
          this.scheduleRetry();
          return;
        }
        after = row.id;
        this.failures = 0;
      }
    } catch (error) {
      // A room's chain never rejects: its failure is the drain's, retried with the backoff.
      this.cannotDrain(error);
    } finally {
      await this.sentMarks.settled();
    }
  }

  private async sendOne(row: OutgoingMessage): Promise<"done" | "retry"> {
    const { client, log } = this.options;
    let sealed: SealedMessage;
    try {
      sealed = this.rows.sealed(row);
    } catch (error) {
      // A damaged row would hold its room's queue for ever: it is given up, loudly.
      if (!(error instanceof CorruptStoredValue)) throw error;
      log.error("an outgoing message is damaged; it is not sent", { roomId: row.roomId, error });
      await this.rows.fail(row, "damaged");
      return "done";
    }
    const { label } = row;
    // A room the client does not know yet (made a moment ago, not yet synced) is waited for a
    // few rounds; one it never learns of is given up without an explanation, which could not
    // be sent there either.
    if (!client.getRoom(row.roomId)) {
      if (row.attempts < ROOM_WAIT_ATTEMPTS) {
        await this.rows.countAttempt(row);
        return "retry";
      }
      await this.rows.fail(row, "room-unknown");
      return "done";
    }
    let decision: AudienceDecision;
    let again: () => AudienceDecision;
    try {
      ({ decision, again } = await decideSend(this.rules, row, label, sealed.privateTo));
    } catch (error) {
      log.warn("could not read the room before sending; will retry", { roomId: row.roomId, error });
      return "retry";
    }
    if (!decision.allowed) {
      const waitForGuard =
        decision.reason === "outside-audience" &&
        this.options.guarded?.(row.roomId) === true &&
        row.attempts < GUARD_WAIT_ATTEMPTS;
      if (waitForGuard) {
        await this.rows.countAttempt(row);
        return "retry";
      }
      await this.refuse(row, decision);
      return "done";
    }
    try {
      const content = await contentToSend(
        client,
        this.attachments,
        this.options.dataSource,
        sealed.content,
        sealed.attachment,
      );
      if (content === undefined) {
        await this.rows.fail(row, "attachment-gone");
        return "done";
      }
      // The room as it is now, after the upload: someone who came meanwhile is decided next round.
      if (!again().allowed) return "retry";
      const eventId = await sendUnderTransactionId(client, row, content);
      if (eventId === undefined) return "retry";
      log.debug("sent", { roomId: row.roomId, eventId, label: row.label });
      // Left before the row is marked sent: a crash in between repeats the send under the same
      // transaction ID (the homeserver answers with the same event) and then leaves.
      if (sealed.leaveAfter === true) await leaveRoom(client, row.roomId);
      this.sentMarks.record(row, eventId, sealed.leaveAfter === true).catch((error: unknown) => {
        log.warn("could not record a sent message; it goes again under its transaction ID", {
          roomId: row.roomId,
          eventId,
          error,
        });
      });
      return "done";
    } catch (error) {
      const status = (error as { httpStatus?: number }).httpStatus;
      const errcode = (error as { errcode?: string }).errcode;
      if (status !== undefined && status >= 400 && status < 500 && errcode !== "M_LIMIT_EXCEEDED") {
        log.error("the homeserver refused a message", {
          roomId: row.roomId,
          status,
          ...(errcode ? { errcode } : {}),
        });
        await this.rows.fail(row, errcode ?? `http-${String(status)}`);
        return "done";
      }
      // The database failed (marking the message sent): drain's retry sends it again under
      // the same transaction ID, which the homeserver answers with the same event.
      if (storageUnavailable(error) !== undefined) throw error;
      await this.rows.countAttempt(row);
      log.warn("sending failed; will retry", {
        roomId: row.roomId,
        attempt: row.attempts + 1,
        error,
      });
      return "retry";
    }
  }

  private async refuse(row: OutgoingMessage, decision: RefusedDecision): Promise<void> {
    const { log, dataSource } = this.options;
    const { label } = row;
    this.refusedByLabel[label]++;
    log.warn("send refused by TLP", {
      roomId: row.roomId,
      label: row.label,
      reason: decision.reason,
      ...(row.caseId ? { caseId: row.caseId } : {}),
    });
    const explanation = await this.options.explain({
      label,
      decision,
      requester: row.requester,
    });
    await transaction(dataSource, async (manager) => {
      await this.rows.refused(manager, row, decision.reason);
      // The explanation is WHITE and says nothing of the withheld message but its label.
      await this.enqueue(
        manager,
        row.roomId,
        { label: "WHITE", step: "refused", text: explanation },
        row.requester,
      );
    });
  }

  private scheduleRetry(): void {
    // Rooms that fail together (the homeserver is down) count as one failure.
    if (this.stopped || this.backingOff()) return;
    this.scanAll = true;
    this.failures++;
    const base = this.options.retryBaseMs ?? 1000;
    const delay = Math.min(60_000, base * 2 ** Math.min(this.failures - 1, 10));
    clearTimeout(this.retryTimer);
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryAt = 0;
      void this.flush();
    }, delay);
  }
}

/** Rooms sent to at once: enough to overlap the waits, few enough not to flood the homeserver. */
const MAX_ROOMS_IN_FLIGHT = 16;

/** Rounds a message waits for its room to reach the client (a room made a moment ago). */
const ROOM_WAIT_ATTEMPTS = 6;

/** Rounds a message waits in a guarded room for an outsider to be removed (about a minute). */
const GUARD_WAIT_ATTEMPTS = 6;
