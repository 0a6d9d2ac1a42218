/** A failure to establish the session that an operator must fix; the message says how. */
export class SessionError extends Error {
  override name = "SessionError";
}
