import { MatrixEventEvent, RoomEvent, type MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../test/support/clients/index.js";

/**
 * Notices when the bot's answers arrive, decrypted, at the partners' clients: each room keeps a
 * queue of commands waiting for their answer, answered in order (the bot answers a room's
 * commands in order).
 */
export class ReplyWatch {
  private readonly waiting = new Map<string, ((at: number) => void)[]>();
  private readonly seen = new Set<string>();

  constructor(private readonly botUserId: string) {}

  /** Starts watching `roomId` as `person`'s client receives it. */
  watch(person: E2eeTestClient, roomId: string): void {
    const consider = (event: MatrixEvent): void => {
      if (event.getRoomId() !== roomId || event.getSender() !== this.botUserId) return;
      if (event.isBeingDecrypted() || event.isDecryptionFailure()) return;
      if (event.getType() !== "m.room.message") return;
      const id = event.getId() ?? "";
      if (this.seen.has(id)) return;
      this.seen.add(id);
      this.waiting.get(roomId)?.shift()?.(performance.now());
    };
    person.client.on(RoomEvent.Timeline, consider);
    person.client.on(MatrixEventEvent.Decrypted, consider);
  }

  /** Resolves with the time (performance.now) the next answer in `roomId` arrives. */
  next(roomId: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no answer in ${roomId} within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const queue = this.waiting.get(roomId) ?? [];
      queue.push((at) => {
        clearTimeout(timer);
        resolve(at);
      });
      this.waiting.set(roomId, queue);
    });
  }
}

/** One partner and their direct room with the bot. */
export interface Partner {
  readonly person: E2eeTestClient;
  readonly roomId: string;
}

/** Sends `status` and resolves with the milliseconds until the answer arrived. */
export async function askStatus(
  watch: ReplyWatch,
  partner: Partner,
  timeoutMs = 60_000,
): Promise<number> {
  const started = performance.now();
  const answered = watch.next(partner.roomId, timeoutMs);
  await partner.person.sendText(partner.roomId, "status");
  return (await answered) - started;
}
