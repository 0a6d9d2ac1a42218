import { defaultPushRules } from "./push-rules.js";
import { randomId } from "./state/accounts.js";
import type { HomeserverState } from "./state/homeserver-state.js";

export interface RegisteredUser {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
  readonly password: string;
}

/** Creates an account (with the default push rules) and logs in its first device. */
export function registerAccount(
  hs: HomeserverState,
  localpart: string,
  password: string,
  deviceId?: string,
  deviceDisplayName?: string,
): RegisteredUser {
  const account = hs.accounts.register(localpart, password);
  hs.accountData.set(
    account.userId,
    undefined,
    "m.push_rules",
    defaultPushRules(account.userId, localpart),
    hs.stream.advance(account.userId),
  );
  const device = hs.login(account.userId, deviceId, deviceDisplayName);
  return {
    userId: account.userId,
    accessToken: device.accessToken,
    deviceId: device.deviceId,
    password,
  };
}

/** A fresh localpart for registrations that did not ask for one. */
export function generatedLocalpart(): string {
  return `user_${randomId(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
}
