/**
 * The homeserver failed rather than refused: no answer (a dropped connection, a restart, a
 * timeout), a 5xx, or a rate limit. Such a request is worth trying again soon; a refusal (4xx) or
 * a bug is not.
 */
export function homeserverFailed(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, httpStatus } = error as { name?: unknown; httpStatus?: unknown };
  if (name === "ConnectionError" || name === "AbortError") return true;
  return typeof httpStatus === "number" && (httpStatus >= 500 || httpStatus === 429);
}
