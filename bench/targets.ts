/** The targets of issue 12, each with how the measured value is compared. */
export interface Target {
  readonly name: string;
  readonly unit: string;
  readonly limit: number;
  readonly better: "higher" | "lower";
}

export const TARGETS = {
  throughput: { name: "sustained commands/s", unit: "cmd/s", limit: 100, better: "higher" },
  latencyP95: { name: "p95 latency at 20 cmd/s", unit: "ms", limit: 250, better: "lower" },
  rss: { name: "RSS, 1,000 rooms + 10,000 reminders", unit: "MB", limit: 400, better: "lower" },
  startup: { name: "start-up to first answer", unit: "s", limit: 10, better: "lower" },
  membershipCheck: {
    name: "membership check p95, 1,000 members",
    unit: "ms",
    limit: 5,
    better: "lower",
  },
} as const satisfies Record<string, Target>;

export function meets(target: Target, value: number): boolean {
  return target.better === "higher" ? value >= target.limit : value < target.limit;
}
