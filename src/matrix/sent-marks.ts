import type { DataSource } from "typeorm";
import { OutgoingMessage } from "../store/entities/outgoing-message.js";
import { transaction } from "../store/transaction.js";

/** A message the homeserver has accepted, waiting to be recorded as sent. */
interface SentMark {
  readonly row: OutgoingMessage;
  readonly eventId: string;
  /** A closing note: once out, nothing ties its room to its case. */
  readonly unlinkCase: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Records the outbox's messages as sent, committed together. A commit waits for the disk (a
 * synchronous fsync that holds up the whole process), and marks are only bookkeeping: a message
 * whose mark is lost in a crash goes again under the same transaction ID, which the homeserver
 * answers with the same event. So each batch takes every mark made until its transaction
 * begins, and many sends share one sync.
 */
export class SentMarks {
  private readonly waiting: SentMark[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly dataSource: DataSource) {}

  record(row: OutgoingMessage, eventId: string, unlinkCase = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, eventId, unlinkCase, resolve, reject });
      // A write in progress takes this mark along in its next batch.
      this.writing ??= new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.write())
        .finally(() => {
          this.writing = undefined;
        });
    });
  }

  /** Resolves when every mark recorded so far is committed (or has failed). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      let batch: SentMark[] = [];
      try {
        await transaction(this.dataSource, async (manager) => {
          batch = this.waiting.splice(0);
          for (const { row, eventId, unlinkCase } of batch) {
            await manager.update(
              OutgoingMessage,
              { id: row.id },
              {
                state: "sent",
                eventId,
                content: null,
                // Who asked matters only until the message is out.
                requester: null,
                ...(unlinkCase ? { caseId: null } : {}),
                attempts: row.attempts + 1,
                updatedAt: Date.now(),
              },
            );
          }
        });
        for (const mark of batch) mark.resolve();
      } catch (error) {
        // A transaction that failed before taking its batch fails those waiting now.
        for (const mark of batch.length > 0 ? batch : this.waiting.splice(0)) mark.reject(error);
      }
    }
  }
}
