import { pino, type DestinationStream } from "pino";

/**
 * The only fields a log line may carry: identifiers, codes and numbers. There is deliberately no
 * field for message bodies, answers, descriptions or free text, so that case details cannot
 * reach the log by accident (invariant 3 of the design); `reason` and `command` are codes and
 * command words chosen by the code, never text a person typed.
 */
export interface LogFields {
  roomId?: string;
  eventId?: string;
  caseId?: string;
  jobId?: string;
  deviceId?: string;
  /** A device's public ed25519 key, as Element shows it (for verifying the bot by hand). */
  sessionKey?: string;
  step?: string;
  command?: string;
  label?: string;
  reason?: string;
  key?: string;
  file?: string;
  errcode?: string;
  status?: number;
  port?: number;
  pid?: number;
  count?: number;
  attempt?: number;
  ms?: number;
  version?: string;
  error?: unknown;
}

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields & { component: string }): Logger;
}

/** Paths that must never be printed even if a future field smuggled an object in. */
const REDACT = [
  "*.body",
  "*.formatted_body",
  "*.content",
  "*.password",
  "*.accessToken",
  "*.access_token",
];

/** An error as the log shows it: its kind and code, its message, and where it came from. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { kind: typeof error };
  const withCodes = error as Error & { code?: unknown; errcode?: unknown; httpStatus?: unknown };
  return {
    name: error.name,
    message: error.message.slice(0, 500),
    ...(typeof withCodes.code === "string" ? { code: withCodes.code } : {}),
    ...(typeof withCodes.errcode === "string" ? { errcode: withCodes.errcode } : {}),
    ...(typeof withCodes.httpStatus === "number" ? { httpStatus: withCodes.httpStatus } : {}),
    stack: error.stack?.split("\n").slice(1, 6).join("\n"),
  };
}

/** Creates the bot's logger: JSON lines on stdout (or the given stream). */
export function createLogger(level: LogLevel = "info", destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: null,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { error: describeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return wrap(destination ? pino(options, destination) : pino(options));
}

function wrap(target: pino.Logger): Logger {
  return {
    error: (message, fields) => {
      target.error(fields ?? {}, message);
    },
    warn: (message, fields) => {
      target.warn(fields ?? {}, message);
    },
    info: (message, fields) => {
      target.info(fields ?? {}, message);
    },
    debug: (message, fields) => {
      target.debug(fields ?? {}, message);
    },
    child: (fields) => wrap(target.child(fields)),
  };
}
