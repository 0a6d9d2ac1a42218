/** Faults a test can inject (see README: "Fault hooks"). */
export interface FaultSettings {
  /** Answer the next N requests with `status`. */
  readonly failNext?: number;
  /** The 5xx status for `failNext` (default 503). */
  readonly status?: number;
  /**
   * Only requests whose path matches this regular expression (its source, e.g. `/join/`) count
   * for `failNext`; cleared with it.
   */
  readonly failPaths?: string;
  /** Delay every request by this many milliseconds. */
  readonly delayMs?: number;
  /** Hold every request until unpaused. */
  readonly paused?: boolean;
  /**
   * Hold only the requests whose path matches this regular expression (its source, e.g.
   * `/media/download/`) until cleared: a bot busy with one request while the rest goes on.
   */
  readonly holdPaths?: string;
  /** Destroy every open connection now (one-shot). */
  readonly dropConnections?: boolean;
}

/** The current faults; the HTTP front end consults it before each client-server request. */
export class Faults {
  private failNext = 0;
  private status = 503;
  private delayMs = 0;
  private paused = false;
  private holdPaths: RegExp | undefined;
  private failPaths: RegExp | undefined;
  private readonly waitingForResume = new Set<() => void>();
  private readonly waitingForHeld = new Set<() => void>();

  constructor(private readonly dropConnections: () => void) {}

  /** Applies the given settings; those not given are left as they are. */
  set(settings: FaultSettings): void {
    if (settings.failNext !== undefined) this.failNext = settings.failNext;
    if (settings.status !== undefined) this.status = settings.status;
    if (settings.delayMs !== undefined) this.delayMs = settings.delayMs;
    if (settings.paused !== undefined) this.setPaused(settings.paused);
    if (settings.holdPaths !== undefined) this.holdPaths = new RegExp(settings.holdPaths);
    if (settings.failPaths !== undefined) this.failPaths = new RegExp(settings.failPaths);
    if (settings.dropConnections === true) this.dropConnections();
  }

  clear(): void {
    this.failNext = 0;
    this.status = 503;
    this.delayMs = 0;
    this.holdPaths = undefined;
    this.failPaths = undefined;
    this.setPaused(false);
  }

  /** Resolves when a request is next held (by a pause or `holdPaths`). */
  held(): Promise<void> {
    return new Promise((resolve) => this.waitingForHeld.add(resolve));
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) return;
    for (const resume of this.waitingForResume) resume();
    this.waitingForResume.clear();
  }

  /**
   * Waits out pause and delay; returns the status to fail this request with, if any.
   * A request whose client goes away while held is released (`signal`).
   */
  async gate(signal: AbortSignal, path = ""): Promise<number | undefined> {
    while ((this.paused || this.holdPaths?.test(path) === true) && !signal.aborted) {
      for (const notify of this.waitingForHeld) notify();
      this.waitingForHeld.clear();
      await new Promise<void>((resolve) => {
        const resume = (): void => {
          signal.removeEventListener("abort", resume);
          this.waitingForResume.delete(resume);
          resolve();
        };
        this.waitingForResume.add(resume);
        signal.addEventListener("abort", resume);
      });
    }
    if (this.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.delayMs);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.failNext > 0 && this.failPaths?.test(path) !== false) {
      this.failNext -= 1;
      return this.status;
    }
    return undefined;
  }
}
