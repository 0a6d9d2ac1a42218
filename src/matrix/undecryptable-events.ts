import type { IRoomEvent, MatrixEvent } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import { z } from "zod";
import { UndecryptableEvent } from "../store/entities/undecryptable-event.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { jsonCodec } from "../store/stored-json.js";
import { transaction } from "../store/transaction.js";

/** The raw event as the homeserver sent it (the client maps it back into a `MatrixEvent`). */
const RAW_EVENT = jsonCodec<Partial<IRoomEvent>>(
  "a kept undecryptable event",
  z.looseObject({ event_id: z.string(), type: z.string(), sender: z.string() }),
);

/**
 * Events the bot could not decrypt yet, kept sealed until their key comes (the inbox handles
 * them then) or the sender has been asked to resend and a week has passed.
 */
export class UndecryptableEvents {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
  ) {}

  /** Keeps the event, once; true when it was not kept already. */
  async keep(event: MatrixEvent): Promise<boolean> {
    const eventId = event.getId() ?? "";
    const repository = this.dataSource.getRepository(UndecryptableEvent);
    if ((await repository.countBy({ eventId })) > 0) return false;
    await transaction(this.dataSource, (manager) =>
      manager.insert(UndecryptableEvent, {
        eventId,
        roomId: event.getRoomId() ?? "",
        sender: event.getSender() ?? "",
        event: this.cipher.encrypt(RAW_EVENT.encode(event.event), sealContext(eventId)),
        firstSeenAt: Date.now(),
        attempts: 0,
        resendAskedAt: null,
      }),
    );
    return true;
  }

  /** Every kept event, the oldest first. */
  all(): Promise<UndecryptableEvent[]> {
    return this.dataSource
      .getRepository(UndecryptableEvent)
      .find({ order: { firstSeenAt: "ASC" } });
  }

  /** The event as the homeserver sent it. */
  raw(row: UndecryptableEvent): Partial<IRoomEvent> {
    return RAW_EVENT.decode(this.cipher.decrypt(row.event, sealContext(row.eventId)));
  }

  async forget(eventId: string): Promise<void> {
    await transaction(this.dataSource, (manager) => this.forgetIn(manager, eventId));
  }

  /** Forgets the event in the transaction that handles it. */
  async forgetIn(manager: EntityManager, eventId: string): Promise<void> {
    await manager.delete(UndecryptableEvent, { eventId });
  }

  async countAttempt(row: UndecryptableEvent): Promise<void> {
    await transaction(this.dataSource, (manager) =>
      manager.update(UndecryptableEvent, { eventId: row.eventId }, { attempts: row.attempts + 1 }),
    );
  }

  /** The sender was asked to resend, in the transaction that asks. */
  async resendAsked(manager: EntityManager, row: UndecryptableEvent, at: number): Promise<void> {
    await manager.update(UndecryptableEvent, { eventId: row.eventId }, { resendAskedAt: at });
  }
}

function sealContext(eventId: string): string {
  return `undecryptable_event.event:${eventId}`;
}
