import { SessionError } from "./session-error.js";

/** The Matrix error code of a refusal, if the homeserver gave one. */
function errcodeOf(error: unknown): string | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === "string" ? errcode : undefined;
}

/**
 * A refused access token as the operator can act on it; anything else (the homeserver down, a
 * bug) is left as it is. The SDK's own wording ("Unable to refresh token") is about refresh
 * tokens, which the bot does not use.
 */
export function tokenRefusal(error: unknown): unknown {
  if (errcodeOf(error) !== "M_UNKNOWN_TOKEN") return error;
  return new SessionError(
    "the homeserver does not know bot.accessToken (M_UNKNOWN_TOKEN): it is mistyped, or its " +
      'device was logged out; log in again for a new token (README, "A bot account")',
  );
}

/** A refused password login as the operator can act on it (see {@link tokenRefusal}). */
export function loginRefusal(error: unknown, userId: string): unknown {
  const errcode = errcodeOf(error);
  switch (errcode) {
    case "M_FORBIDDEN":
      return new SessionError(
        `the homeserver refused bot.password for ${userId} (M_FORBIDDEN): check the password, ` +
          "and that bot.userId is the bot's account",
      );
    case "M_USER_DEACTIVATED":
      return new SessionError(`the homeserver says ${userId} is deactivated (M_USER_DEACTIVATED)`);
    case "M_INVALID_USERNAME":
    case "M_UNKNOWN":
      return new SessionError(`the homeserver refused to log in ${userId} (${errcode})`);
    default:
      return error;
  }
}
