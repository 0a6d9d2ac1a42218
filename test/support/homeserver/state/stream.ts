import { EventEmitter } from "node:events";

/** A position whose change other users' syncs may not see yet. */
interface Recent {
  readonly pos: number;
  /** The user who caused the change (the sender, the typist, the key owner...). */
  readonly actor: string;
  /** When it happened (`performance.now()`). */
  readonly at: number;
}

/**
 * The server's single stream position. Everything a sync reports (events, receipts, typing,
 * account data, to-device, key changes) is stamped with the position at which it happened, so
 * a `since` token is one number and long-polls wake on any advance.
 *
 * With a delivery delay, each position also records who caused it and when: a viewer's sync
 * sees the stream only up to `visibleTo(viewer)`, the newest position before the first one
 * that another user caused less than `delayMs` ago. The viewer's own changes do not wait, but
 * a change of theirs behind a held one waits with it: a sync token is one position, and a
 * sync must neither return a position before one it already returned nor skip one.
 */
export class Stream {
  private position = 0;
  private readonly changes = new EventEmitter();
  /** Positions younger than the delay, oldest first (empty without a delay). */
  private readonly recent: Recent[] = [];

  constructor(private readonly delayMs = 0) {
    this.changes.setMaxListeners(0);
  }

  get current(): number {
    return this.position;
  }

  /** The delivery delay for other users' syncs, in milliseconds (0: none). */
  get deliveryDelayMs(): number {
    return this.delayMs;
  }

  /**
   * Moves the stream on for a change `actor` caused and wakes every waiting long-poll; returns
   * the new position.
   */
  advance(actor: string): number {
    this.position += 1;
    if (this.delayMs > 0) {
      this.recent.push({ pos: this.position, actor, at: performance.now() });
    }
    this.changes.emit("advance", this.position);
    return this.position;
  }

  /** The newest position `viewer`'s sync may report: all before it is old enough or theirs. */
  visibleTo(viewer: string): number {
    const held = this.heldFor(viewer);
    return held === undefined ? this.position : held.pos - 1;
  }

  /** The oldest position another user caused that `viewer` may not see yet. */
  private heldFor(viewer: string): Recent | undefined {
    if (this.delayMs <= 0) return undefined;
    this.dropMatured(performance.now());
    return this.recent.find((r) => r.actor !== viewer);
  }

  /**
   * Resolves when the stream `viewer` may see passes `after` (a new change of theirs, or
   * another user's maturing), when `timeoutMs` elapses or `signal` aborts. While another
   * user's change holds the viewer back, a timer set for its maturity looks again (the waiter's
   * own timer: nothing else need advance the stream for a held change to arrive).
   */
  waitBeyond(viewer: string, after: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.visibleTo(viewer) > after || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let maturity: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        clearTimeout(maturity);
        this.changes.off("advance", look);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const look = (): void => {
        if (this.visibleTo(viewer) > after) {
          done();
          return;
        }
        // Held back: look again when the change that holds the viewer back matures.
        const held = this.heldFor(viewer);
        clearTimeout(maturity);
        maturity =
          held === undefined
            ? undefined
            : setTimeout(look, Math.ceil(Math.max(0, held.at + this.delayMs - performance.now())));
      };
      const timer = setTimeout(done, timeoutMs);
      this.changes.on("advance", look);
      signal.addEventListener("abort", done);
      look();
    });
  }

  private dropMatured(now: number): void {
    let matured = 0;
    while (matured < this.recent.length && now - (this.recent[matured]?.at ?? 0) >= this.delayMs) {
      matured += 1;
    }
    if (matured > 0) this.recent.splice(0, matured);
  }
}
