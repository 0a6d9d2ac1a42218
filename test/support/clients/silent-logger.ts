import loglevel from "loglevel";
import { logger as sdkLogger, type Logger } from "matrix-js-sdk/lib/logger.js";

/** Set `DSX_SDK_LOG=1` to see matrix-js-sdk's own logging in tests. */
export const sdkLoggingWanted = process.env.DSX_SDK_LOG !== undefined;

const noop = (): void => undefined;

/** A matrix-js-sdk `Logger` that drops everything (unless `DSX_SDK_LOG` is set). */
export const testLogger: Logger = sdkLoggingWanted
  ? sdkLogger
  : { trace: noop, debug: noop, info: noop, warn: noop, error: noop, getChild: () => testLogger };

/**
 * Silences the SDK's module-level loggers. They are loglevel loggers that the SDK's modules
 * create at import time, each with its own level, so every registered one is silenced.
 */
export function silenceSdkLogging(): void {
  if (sdkLoggingWanted) return;
  for (const child of Object.values(loglevel.getLoggers())) child.setLevel("silent", false);
}
