import { EventEmitter } from "node:events";

/**
 * The server's single stream position. Everything a sync reports (events, receipts, typing,
 * account data, to-device, key changes) is stamped with the position at which it happened, so
 * a `since` token is one number and long-polls wake on any advance.
 */
export class Stream {
  private position = 0;
  private readonly changes = new EventEmitter();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  get current(): number {
    return this.position;
  }

  /** Moves the stream on and wakes every waiting long-poll; returns the new position. */
  advance(): number {
    this.position += 1;
    this.changes.emit("advance", this.position);
    return this.position;
  }

  /** Resolves when the stream passes `after`, when `timeoutMs` elapses or `signal` aborts. */
  waitBeyond(after: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.position > after || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.changes.off("advance", onAdvance);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const onAdvance = (): void => {
        done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.changes.on("advance", onAdvance);
      signal.addEventListener("abort", done);
    });
  }
}
