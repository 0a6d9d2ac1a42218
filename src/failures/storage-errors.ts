import type { Logger } from "../log/log.js";

/**
 * Why the database cannot take a write just now, as a code for the log, or `undefined` when the
 * error is not one of storage (a bug, a broken row): a lock another connection holds, a full
 * disk, an I/O error, a read-only file, a PostgreSQL server that is down or restarting. Such a
 * failure says nothing about the event or job in hand: the work is to be tried again later, not
 * recorded as failed.
 */
export function storageUnavailable(error: unknown): StorageProblem | undefined {
  for (const candidate of causes(error)) {
    const code = (candidate as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
      return "database-locked";
    if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "53100") return "disk-full";
    if (code.startsWith("SQLITE_IOERR") || code === "EIO" || code === "58030")
      return "database-io-error";
    if (code.startsWith("SQLITE_READONLY") || code === "EROFS" || code === "25006")
      return "database-read-only";
    if (code.startsWith("SQLITE_CANTOPEN")) return "database-cannot-open";
    // PostgreSQL: lock not available, serialization failure, deadlock.
    if (["55P03", "40001", "40P01"].includes(code)) return "database-locked";
    // PostgreSQL: connection exceptions (08…), shutting down or starting (57P0…), too many
    // connections; and the socket errors of a server that went away.
    if (
      code.startsWith("08") ||
      code.startsWith("57P0") ||
      code === "53300" ||
      ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"].includes(code)
    )
      return "database-unreachable";
  }
  const message = error instanceof Error ? error.message : "";
  if (
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      message,
    )
  )
    return "database-unreachable";
  return undefined;
}

/**
 * Logs why work that is tried again later failed: a storage problem as a wait (a warning with
 * its `reason`), anything else as an error. Returns the storage problem, if it was one.
 */
export function logRetriedFailure(
  log: Logger,
  error: unknown,
  messages: { readonly waiting: string; readonly failed: string },
): StorageProblem | undefined {
  const reason = storageUnavailable(error);
  if (reason !== undefined) log.warn(messages.waiting, { reason, error });
  else log.error(messages.failed, { error });
  return reason;
}

export type StorageProblem =
  | "database-locked"
  | "disk-full"
  | "database-io-error"
  | "database-read-only"
  | "database-cannot-open"
  | "database-unreachable";

/** The error and the errors it wraps (TypeORM's `driverError`, `cause`). */
function* causes(error: unknown): Generator<object> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    yield current;
    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }
}
