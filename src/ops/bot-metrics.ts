import { TLP_LABELS, type TlpLabel } from "../policy/tlp.js";
import type { MetricFamily } from "./prometheus.js";

/** The kinds of case the bot keeps, as `/metrics` names them. */
export const CASE_KINDS = ["incident", "vulnerability", "conduct"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/**
 * What `/metrics` reports: counts only. Nothing here can carry a message, a case id, a room or
 * a name (invariant 3), so neither can the endpoint.
 */
export interface BotReadings {
  /** Inbound events handled since the process started (their effects committed). */
  readonly eventsHandled: number;
  /** Inbound events whose handler failed (the sender was told), since the process started. */
  readonly eventsFailed: number;
  /** Messages the outbox refused to send, by TLP label, since the process started. */
  readonly sendsRefused: Readonly<Record<TlpLabel, number>>;
  /** Scheduled jobs fired, and attempts that failed (to be retried), since the process started. */
  readonly jobsFired: number;
  readonly jobsFailed: number;
  /** The process's memory now, in bytes (`process.memoryUsage()`). */
  readonly memory: Readonly<{ resident: number; heapUsed: number; external: number }>;
  /** The counts kept in the database; undefined while it does not answer. */
  readonly stored: StoredCounts | undefined;
}

/** What `/metrics` counts in the database. */
export interface StoredCounts {
  readonly openCases: Readonly<Record<CaseKind, number>>;
  /** How late the oldest due job that has not fired is, in seconds (0 when none is due). */
  readonly scheduleLagSeconds: number;
  /** Events kept because they cannot be decrypted yet. */
  readonly undecryptableWaiting: number;
}

/** The families of `/metrics`; `readings` is undefined while the bot is still starting. */
export function botMetricFamilies(
  ready: boolean,
  readings: BotReadings | undefined,
): MetricFamily[] {
  const families: MetricFamily[] = [
    {
      name: "dsx_ready",
      help: "1 when the bot is synced with the homeserver and its database answers, else 0.",
      type: "gauge",
      samples: [{ value: ready ? 1 : 0 }],
    },
  ];
  if (readings === undefined) return families;
  families.push(
    {
      name: "dsx_events_handled_total",
      help: "Inbound events handled since the bot started.",
      type: "counter",
      samples: [{ value: readings.eventsHandled }],
    },
    {
      name: "dsx_events_failed_total",
      help: "Inbound events whose handling failed (the sender was told) since the bot started.",
      type: "counter",
      samples: [{ value: readings.eventsFailed }],
    },
    {
      name: "dsx_sends_refused_total",
      help: "Messages the outbox refused to send, by TLP label, since the bot started.",
      type: "counter",
      samples: TLP_LABELS.map((label) => ({
        labels: { label },
        value: readings.sendsRefused[label],
      })),
    },
    {
      name: "dsx_jobs_fired_total",
      help: "Scheduled jobs (reminders, deadlines) fired since the bot started.",
      type: "counter",
      samples: [{ value: readings.jobsFired }],
    },
    {
      name: "dsx_jobs_failed_total",
      help: "Attempts at a scheduled job that failed (it is retried) since the bot started.",
      type: "counter",
      samples: [{ value: readings.jobsFailed }],
    },
  );
  // While the database does not answer, its counts are left out rather than the whole answer.
  const stored = readings.stored;
  if (stored !== undefined)
    families.push(
      {
        name: "dsx_open_cases",
        help: "Open cases by kind.",
        type: "gauge",
        samples: CASE_KINDS.map((kind) => ({ labels: { kind }, value: stored.openCases[kind] })),
      },
      {
        name: "dsx_schedule_lag_seconds",
        help: "How late the oldest due scheduled job is, in seconds (0 when none is due).",
        type: "gauge",
        samples: [{ value: stored.scheduleLagSeconds }],
      },
      {
        name: "dsx_undecryptable_events",
        help: "Events kept because they cannot be decrypted yet.",
        type: "gauge",
        samples: [{ value: stored.undecryptableWaiting }],
      },
    );
  // Under the names Node's Prometheus clients give them, for the dashboards that know those.
  families.push(
    {
      name: "process_resident_memory_bytes",
      help: "Resident memory of the bot process.",
      type: "gauge",
      samples: [{ value: readings.memory.resident }],
    },
    {
      name: "nodejs_heap_size_used_bytes",
      help: "JavaScript heap in use.",
      type: "gauge",
      samples: [{ value: readings.memory.heapUsed }],
    },
    {
      name: "nodejs_external_memory_bytes",
      help: "Memory outside the JavaScript heap held by its objects: the Rust crypto's WebAssembly memory is here.",
      type: "gauge",
      samples: [{ value: readings.memory.external }],
    },
  );
  return families;
}
