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
  private maturityTimer: NodeJS.Timeout | undefined;

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
      this.scheduleMaturity();
    }
    this.changes.emit("advance", this.position);
    return this.position;
  }

  /** The newest position `viewer`'s sync may report: all before it is old enough or theirs. */
  visibleTo(viewer: string): number {
    if (this.delayMs <= 0) return this.position;
    this.dropMatured(performance.now());
    const held = this.recent.find((r) => r.actor !== viewer);
    return held === undefined ? this.position : held.pos - 1;
  }

  /**
   * Resolves when the stream `viewer` may see passes `after` (a new change of theirs, or
   * another user's maturing), when `timeoutMs` elapses or `signal` aborts.
   */
  waitBeyond(viewer: string, after: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.visibleTo(viewer) > after || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.changes.off("advance", onAdvance);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const onAdvance = (): void => {
        if (this.visibleTo(viewer) > after) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.changes.on("advance", onAdvance);
      signal.addEventListener("abort", done);
    });
  }

  /** Stops the maturity timer (the server stops); a later advance starts it again. */
  stopTimers(): void {
    clearTimeout(this.maturityTimer);
    this.maturityTimer = undefined;
  }

  private dropMatured(now: number): void {
    let matured = 0;
    while (matured < this.recent.length && now - (this.recent[matured]?.at ?? 0) >= this.delayMs) {
      matured += 1;
    }
    if (matured > 0) this.recent.splice(0, matured);
  }

  /** One timer, for the oldest held position: when it matures, long-polls look again. */
  private scheduleMaturity(): void {
    if (this.maturityTimer !== undefined) return;
    const oldest = this.recent[0];
    if (oldest === undefined) return;
    const wait = Math.max(0, oldest.at + this.delayMs - performance.now());
    this.maturityTimer = setTimeout(() => {
      this.maturityTimer = undefined;
      this.dropMatured(performance.now());
      this.changes.emit("advance", this.position);
      this.scheduleMaturity();
    }, Math.ceil(wait));
    this.maturityTimer.unref();
  }
}
