import { In, type DataSource, type EntityManager } from "typeorm";
import { HandledEvent } from "../store/entities/handled-event.js";
import { transaction } from "../store/transaction.js";

/** The events the bot has handled, by ID: what makes handling at least once also only once. */
export class HandledEvents {
  constructor(private readonly dataSource: DataSource) {}

  async has(eventId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(HandledEvent).countBy({ eventId })) > 0;
  }

  /** Those of `eventIds` handled already: one query for a room's whole timeline. */
  async among(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.dataSource.getRepository(HandledEvent).find({
      select: { eventId: true },
      where: { eventId: In([...eventIds]) },
    });
    return new Set(rows.map((row) => row.eventId));
  }

  /** Records the event in the transaction that handles it (a duplicate fails the transaction). */
  async record(manager: EntityManager, eventId: string, roomId: string): Promise<void> {
    await manager.insert(HandledEvent, { eventId, roomId, handledAt: Date.now() });
  }

  /** Records events as handled without handling them (those answered before a restore). */
  async recordAll(roomId: string, eventIds: readonly string[]): Promise<void> {
    const handledAt = Date.now();
    await transaction(this.dataSource, (manager) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(HandledEvent)
        .values(eventIds.map((eventId) => ({ eventId, roomId, handledAt })))
        .orIgnore()
        .execute(),
    );
  }
}
