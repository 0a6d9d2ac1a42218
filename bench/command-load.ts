import { percentiles, type Percentiles } from "./stats.js";
import { askStatus, type Partner, type ReplyWatch } from "./reply-watch.js";

export interface Throughput {
  readonly partners: number;
  readonly seconds: number;
  readonly answered: number;
  /** Answers in the whole run, the warm-up included (what CPU time is divided by). */
  readonly answeredInRun: number;
  readonly commandsPerSecond: number;
  readonly latencyMs: Percentiles;
}

/**
 * Sustained throughput: every partner sends `status` as soon as the previous answer arrived
 * (a closed loop, one command in flight per direct room); answers arriving within the
 * measured window after the warm-up are counted.
 */
export async function measureThroughput(
  watch: ReplyWatch,
  partners: readonly Partner[],
  warmupSeconds: number,
  seconds: number,
): Promise<Throughput> {
  const start = performance.now();
  const windowStart = start + warmupSeconds * 1000;
  const windowEnd = windowStart + seconds * 1000;
  const latencies: number[] = [];
  let answered = 0;
  let answeredInRun = 0;
  await Promise.all(
    partners.map(async (partner) => {
      while (performance.now() < windowEnd) {
        const latency = await askStatus(watch, partner);
        answeredInRun++;
        const at = performance.now();
        if (at >= windowStart && at < windowEnd) {
          answered++;
          latencies.push(latency);
        }
      }
    }),
  );
  return {
    partners: partners.length,
    seconds,
    answered,
    answeredInRun,
    commandsPerSecond: answered / seconds,
    latencyMs: percentiles(latencies),
  };
}

export interface OfferedLoad {
  readonly offeredPerSecond: number;
  readonly sent: number;
  readonly latencyMs: Percentiles;
}

/**
 * Latency at a fixed offered load: commands go out on a fixed clock (`perSecond`, in turn from
 * each partner) whatever the answers do (an open loop), so a slow answer does not slow the load.
 */
export async function measureLatency(
  watch: ReplyWatch,
  partners: readonly Partner[],
  perSecond: number,
  seconds: number,
): Promise<OfferedLoad> {
  const total = Math.round(perSecond * seconds);
  const intervalMs = 1000 / perSecond;
  const start = performance.now();
  const answers: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const partner = partners[i % partners.length];
    if (partner) answers.push(askStatus(watch, partner));
  }
  const latencies = await Promise.all(answers);
  return { offeredPerSecond: perSecond, sent: total, latencyMs: percentiles(latencies) };
}
