import { randomUUID } from "node:crypto";
import { MoreThan, type DataSource, type EntityManager } from "typeorm";
import { z } from "zod";
import type { BotMessage, MessageContent } from "../chat/bot-message.js";
import { audit } from "../store/audit-log.js";
import { OutgoingMessage } from "../store/entities/outgoing-message.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { jsonCodec } from "../store/stored-json.js";
import { transaction } from "../store/transaction.js";

/** What a row keeps sealed: the event content, and how to send it. */
export interface SealedMessage {
  readonly content: MessageContent;
  readonly privateTo: string | null;
  readonly attachment?: number | undefined;
  readonly leaveAfter?: boolean | undefined;
}

const SEALED = jsonCodec<SealedMessage>(
  "an outgoing message's sealed content",
  z.object({
    content: z.looseObject({
      msgtype: z.literal("m.notice"),
      body: z.string(),
      format: z.literal("org.matrix.custom.html"),
      formatted_body: z.string(),
      "org.dsx.tlp": z.string(),
    }),
    privateTo: z.string().nullable(),
    attachment: z.number().int().optional(),
    leaveAfter: z.boolean().optional(),
  }),
);

/** The outbox's rows: written in the caller's transaction, then read and settled one by one. */
export class OutgoingRows {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
  ) {}

  /** One event's row, its content sealed under its own transaction ID. */
  async insert(
    manager: EntityManager,
    roomId: string,
    message: BotMessage,
    content: MessageContent,
    requester: string | null,
    last: boolean,
  ): Promise<void> {
    const txnId = `dsx-${randomUUID()}`;
    const sealed: SealedMessage = {
      content,
      privateTo: message.privateTo ?? null,
      ...(message.attachment === undefined ? {} : { attachment: message.attachment }),
      ...(last && message.leaveAfter === true ? { leaveAfter: true } : {}),
    };
    await manager.insert(OutgoingMessage, {
      txnId,
      roomId,
      label: message.label,
      caseId: message.caseId ?? null,
      requester: message.privateTo ?? requester,
      content: this.cipher.encrypt(SEALED.encode(sealed), sealContext(txnId)),
      state: "pending",
      eventId: null,
      reason: null,
      attempts: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
  }

  /** What a pending row holds sealed. */
  sealed(row: OutgoingMessage): SealedMessage {
    return SEALED.decode(this.cipher.decrypt(row.content ?? "", sealContext(row.txnId)));
  }

  /**
   * Rooms with pending messages, the one waiting longest first: read at the first drain and
   * after a failure; otherwise the rooms `enqueue` touched since are enough (a query less for
   * each message).
   */
  async roomsWithPending(): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(OutgoingMessage)
      .createQueryBuilder("message")
      .select("message.roomId", "roomId")
      .addSelect("MIN(message.id)", "first")
      .where("message.state = :state", { state: "pending" })
      .groupBy("message.roomId")
      .orderBy("first", "ASC")
      .getRawMany<{ roomId: string }>();
    return rows.map((row) => row.roomId);
  }

  /** A room's first pending message after the row `after`. */
  nextPending(roomId: string, after: number): Promise<OutgoingMessage | null> {
    return this.dataSource.getRepository(OutgoingMessage).findOne({
      where: { state: "pending", roomId, id: MoreThan(after) },
      order: { id: "ASC" },
    });
  }

  /** One more try made (a wait, or a send that failed): the row stays pending. */
  async countAttempt(row: OutgoingMessage): Promise<void> {
    await transaction(this.dataSource, (manager) =>
      manager.update(
        OutgoingMessage,
        { id: row.id },
        { attempts: row.attempts + 1, updatedAt: Date.now() },
      ),
    );
  }

  /** A message that will never go: recorded as failed, with why, and audited. */
  async fail(row: OutgoingMessage, reason: string): Promise<void> {
    await transaction(this.dataSource, async (manager) => {
      await this.settle(manager, row, "failed", reason);
      await audit(manager, {
        actor: null,
        action: "send.failed",
        caseId: row.caseId,
        roomId: row.roomId,
        outcome: reason,
      });
    });
  }

  /** A message withheld by the TLP check, in the transaction that explains it to the room. */
  async refused(manager: EntityManager, row: OutgoingMessage, reason: string): Promise<void> {
    await this.settle(manager, row, "refused", reason);
    await audit(manager, {
      actor: row.requester,
      action: "send.refused",
      caseId: row.caseId,
      roomId: row.roomId,
      outcome: reason,
    });
  }

  /** Its content and requester are dropped with the send: nothing of it is kept to leak. */
  private async settle(
    manager: EntityManager,
    row: OutgoingMessage,
    state: "failed" | "refused",
    reason: string,
  ): Promise<void> {
    await manager.update(
      OutgoingMessage,
      { id: row.id },
      { state, content: null, requester: null, reason, updatedAt: Date.now() },
    );
  }
}

function sealContext(txnId: string): string {
  return `outgoing_message.content:${txnId}`;
}
