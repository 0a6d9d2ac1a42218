import loglevel from "loglevel";
import type { Logger as SdkLogger } from "matrix-js-sdk/lib/logger.js";
import { describeError, type Logger } from "../log/log.js";

/**
 * SDK lines that would mislead or tire an operator: a homeserver older than the SDK lacks some
 * of today's default push rules (about fourteen lines at every start on Synapse 1.67; the SDK
 * adds them itself, and the bot is notified of nothing by push rules), and every refused access
 * token is said to lack a refresh token the bot never uses (the refusal itself is reported,
 * session-refusals.ts).
 */
const DROPPED: readonly RegExp[] = [
  /^(Adding|Missing) default global \w+ push rule /,
  /^Unable to refresh token - no refresh token/,
];

/**
 * matrix-js-sdk's logging, routed into ours: warnings and errors only, each reduced to its first
 * words (the SDK's own text, which names rooms and devices but carries no message bodies) and
 * the kind and code of any error, so nothing a person wrote can reach the log through the SDK.
 */
export function sdkLogger(log: Logger): SdkLogger {
  const forward =
    (level: "warn" | "error") =>
    (...parts: unknown[]): void => {
      const text = parts
        .filter((p): p is string => typeof p === "string")
        .join(" ")
        .slice(0, 160);
      if (DROPPED.some((pattern) => pattern.test(text))) return;
      const error = parts.find((p) => p instanceof Error);
      log[level](
        `matrix-js-sdk: ${text}`,
        error === undefined ? {} : { error: describeError(error) },
      );
    };
  const noop = (): void => undefined;
  const logger: SdkLogger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: forward("warn"),
    error: forward("error"),
    getChild: () => logger,
  };
  return logger;
}

/**
 * The SDK's modules also log through loglevel loggers straight to the console, and create new
 * ones as they go (at debug level, e.g. per call session), each taking the method factory of the
 * SDK's "matrix" logger. That factory, and the root's, are made to print nothing, so present and
 * future module loggers are silent. The client's own logger above still reports warnings and
 * errors. Some modules bound a logger's method when they were loaded (EventTimelineSet's
 * "ignoring duplicate event", which Synapse's sync brings), and it prints through `console.log`
 * at call time: the bot's stdout is its JSON log, so the console's chatter methods print nothing
 * in the bot's process (nothing of the bot's own uses them).
 */
export function silenceSdkModuleLoggers(): void {
  for (const method of ["log", "info", "debug", "trace"] as const)
    console[method] = () => undefined;
  const silent = (): (() => void) => () => undefined;
  loglevel.methodFactory = silent;
  for (const child of Object.values(loglevel.getLoggers())) {
    child.methodFactory = silent;
    child.setLevel("silent", false);
  }
  loglevel.getLogger("matrix").methodFactory = silent;
  loglevel.setLevel("silent", false);
}
