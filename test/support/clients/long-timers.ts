/**
 * matrix-js-sdk arms long timers it never clears: a request timeout per HTTP request (15 s
 * for its reconnection probe, 60 s by default, 110 s for sync: its `timeoutSignal` ponyfill), a 5-minute timer per live encrypted event
 * that never decrypts (`RustCrypto.onLiveEventFromSync`), and a 6-hour capabilities refresh
 * when a poll finishes after `stopClient`. Mocha runs without `--exit`, so such timers hold a
 * finished test run for minutes. Timers this long are unref'd: a test that still waits on
 * something has its own shorter deadline (mocha's test timeout) keeping the process alive.
 */
const LONG_TIMER_MS = 10 * 1000;

let installed = false;

export function unrefLongTimers(): void {
  if (installed) return;
  installed = true;
  const original = globalThis.setTimeout;
  const patched = (handler: TimerHandler, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
    const timer = original(handler as (...a: unknown[]) => void, ms, ...args);
    if (typeof ms === "number" && ms >= LONG_TIMER_MS) timer.unref();
    return timer;
  };
  globalThis.setTimeout = Object.assign(patched, original) as typeof setTimeout;
}
