import { MatrixError } from "./errors.js";
import { isObject, type JsonObject } from "./json.js";
import { randomId } from "./state/accounts.js";
import type { HomeserverState } from "./state/homeserver-state.js";

/** A 401 user-interactive-auth answer: flows and session, an errcode only after a failure. */
class AuthChallenge extends MatrixError {
  constructor(
    private readonly challenge: JsonObject,
    failure?: { errcode: string; error: string },
  ) {
    super(401, failure?.errcode ?? "", failure?.error ?? "Authentication required");
    this.failed = failure !== undefined;
  }
  private readonly failed: boolean;

  override body(): JsonObject {
    return this.failed
      ? { errcode: this.errcode, error: this.message, ...this.challenge }
      : this.challenge;
  }
}

/**
 * User-interactive authentication with one stage per flow: `m.login.dummy` for registration,
 * `m.login.password` for sensitive account operations.
 */
export class UserInteractiveAuth {
  private readonly sessions = new Set<string>();

  constructor(private readonly hs: HomeserverState) {}

  private challenge(stage: string, session?: string): JsonObject {
    const id = session ?? randomId(16);
    this.sessions.add(id);
    return { flows: [{ stages: [stage] }], params: {}, session: id };
  }

  /** Passes when `body.auth` completes the dummy stage; otherwise throws the 401 challenge. */
  requireDummy(body: JsonObject): void {
    const auth = body.auth;
    if (isObject(auth) && auth.type === "m.login.dummy") return;
    throw new AuthChallenge(this.challenge("m.login.dummy"));
  }

  /** Passes when `body.auth` carries `userId`'s password; otherwise throws the 401 challenge. */
  requirePassword(body: JsonObject, userId: string): void {
    const auth = body.auth;
    if (!isObject(auth) || auth.type !== "m.login.password") {
      throw new AuthChallenge(this.challenge("m.login.password"));
    }
    const session = typeof auth.session === "string" ? auth.session : undefined;
    const identifier = isObject(auth.identifier) ? auth.identifier : {};
    const named = typeof identifier.user === "string" ? identifier.user : auth.user;
    const claimed =
      typeof named === "string" && !named.startsWith("@")
        ? this.hs.accounts.userIdFor(named)
        : named;
    const password = typeof auth.password === "string" ? auth.password : "";
    if (claimed !== userId || !this.hs.accounts.passwordMatches(userId, password)) {
      throw new AuthChallenge(this.challenge("m.login.password", session), {
        errcode: "M_FORBIDDEN",
        error: "Invalid password",
      });
    }
    if (session !== undefined) this.sessions.delete(session);
  }
}
