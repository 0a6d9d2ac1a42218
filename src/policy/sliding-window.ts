/** How many events a person (or a room) may have counted within a sliding window. */
export interface WindowLimit {
  readonly count: number;
  readonly withinMs: number;
}

/** Whether one more event may be taken now, and if not, from when it may. */
export type WindowDecision =
  { readonly ok: true } | { readonly ok: false; readonly retryAt: number };

/**
 * The sliding-window rule: one more event is taken when fewer than `count` were counted in the
 * `withinMs` before `now`. Otherwise it may be taken once the oldest of the last `count` falls out
 * of the window. Only taken events are counted, so a person held back is told a time that holds.
 */
export function decide(
  counted: readonly number[],
  limit: WindowLimit,
  now: number,
): WindowDecision {
  const inWindow = counted.filter((at) => at > now - limit.withinMs && at <= now);
  if (inWindow.length < limit.count) return { ok: true };
  const sorted = [...inWindow].sort((a, b) => b - a);
  // The newest `count` events: once the oldest of them has left the window, there is room.
  const oldestKept = sorted[limit.count - 1] ?? now;
  return { ok: false, retryAt: oldestKept + limit.withinMs };
}
