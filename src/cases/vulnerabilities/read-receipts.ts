import { RoomEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "../../log/log.js";
import { audit } from "../../store/audit-log.js";
import { transaction } from "../../store/transaction.js";
import type { VulnerabilityStore } from "./vulnerability-store.js";

export interface NoticeReceiptsOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly store: VulnerabilityStore;
  readonly log: Logger;
  /** A notice was read: in the transaction that records it. */
  readonly seen: (manager: EntityManager, caseId: string) => Promise<void>;
}

/**
 * Read receipts tell whether the affected party has seen a vulnerability notice (DESIGN.md,
 * Retention): a contact's receipt at or after the notice marks the case seen, once.
 */
export class NoticeReceipts {
  constructor(private readonly o: NoticeReceiptsOptions) {}

  /**
   * Watches receipts as they arrive. The bot's own (one for each message it sends) say nothing
   * of what a contact has read, and are the most frequent: they are not looked into.
   * `afterSeen` runs once a notice read is recorded, to send what that queued: a receipt is no
   * event of the inbox, whose handling would send it, and it often comes last (a contact on
   * another server reads the notice after the bot's sync has brought everything else).
   */
  watch(afterSeen: () => void): void {
    this.o.client.on(RoomEvent.Receipt, (event, room) => {
      if (readersOf(event).some((userId) => userId !== this.o.client.getUserId()))
        void this.check(room.roomId).then((recorded) => {
          if (recorded) afterSeen();
        });
    });
  }

  /** Checks every unseen notice (receipts that came while the bot was down). */
  async checkAll(): Promise<void> {
    for (const v of await this.o.store.unseen(this.o.dataSource.manager)) {
      for (const contact of this.o.store.contacts(v))
        if (contact.roomId !== null) await this.check(contact.roomId);
    }
  }

  /** Records the notices in this room that their contact has read; whether there were any. */
  private async check(roomId: string): Promise<boolean> {
    let recorded = false;
    try {
      const room = this.o.client.getRoom(roomId);
      if (!room) return false;
      for (const v of await this.o.store.unseen(this.o.dataSource.manager)) {
        const contact = this.o.store.contacts(v).find((c) => c.roomId === roomId);
        if (!contact) continue;
        const notice = await this.o.store.firstSentIn(this.o.dataSource.manager, v.caseId, roomId);
        if (notice?.eventId == null || !room.hasUserReadEvent(contact.userId, notice.eventId))
          continue;
        await transaction(this.o.dataSource, async (manager) => {
          const fresh = await this.o.store.get(manager, v.caseId);
          if (!fresh || fresh.seenAt !== null) return;
          await this.o.store.update(manager, fresh, { seenAt: Date.now() });
          await audit(manager, { actor: null, action: "vulnerability.seen", caseId: v.caseId });
          await this.o.seen(manager, v.caseId);
          recorded = true;
        });
      }
    } catch (error) {
      this.o.log.warn("could not record a read receipt", { roomId, error });
    }
    return recorded;
  }
}

/** The users whose receipts an `m.receipt` event carries (content: event ID → type → user). */
function readersOf(event: MatrixEvent): string[] {
  const content = event.getContent<Record<string, Record<string, Record<string, unknown>>>>();
  return Object.values(content).flatMap((byType) =>
    Object.values(byType).flatMap((byUser) => Object.keys(byUser)),
  );
}
