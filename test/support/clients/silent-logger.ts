import loglevel from "loglevel";
import type { Logger } from "matrix-js-sdk/lib/logger.js";

/** Set `DSX_SDK_LOG=1` to see matrix-js-sdk's own logging in tests. */
export const sdkLoggingWanted = process.env.DSX_SDK_LOG !== undefined;

const noop = (): void => undefined;

const silent: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  getChild: () => silent,
};

/** The logger to give a test client: silent, or the SDK's default (`undefined`) with `DSX_SDK_LOG`. */
export const testLogger: Logger | undefined = sdkLoggingWanted ? undefined : silent;

/**
 * Silences matrix-js-sdk's module-level loggers (loglevel). Each has its own level, and child
 * loggers made later (per room, per session) copy their parent's `methodFactory`: so every
 * registered logger gets a no-op factory, which later children inherit.
 */
export function silenceSdkLogging(): void {
  if (sdkLoggingWanted) return;
  for (const registered of Object.values(loglevel.getLoggers())) {
    registered.methodFactory = () => noop;
    registered.rebuild();
  }
}
