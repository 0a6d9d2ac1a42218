import { MatrixError, forbidden } from "../errors.js";
import { isObject, optBoolean, optString } from "../json.js";
import { generatedLocalpart, registerAccount } from "../registration.js";
import { authed, json, open, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { UserInteractiveAuth } from "../uia.js";

const V3 = "/_matrix/client/v3";

/** Registration, login, logout and whoami. */
export function accountRoutes(hs: HomeserverState, uia: UserInteractiveAuth): Route[] {
  return [
    open("POST", `${V3}/register`, ({ body, query }) => {
      if ((query.get("kind") ?? "user") !== "user") {
        throw new MatrixError(403, "M_GUEST_ACCESS_FORBIDDEN", "Guest access is disabled");
      }
      const localpart = optString(body, "username") ?? generatedLocalpart();
      hs.accounts.validateLocalpart(localpart);
      if (!hs.accounts.isAvailable(localpart)) {
        throw new MatrixError(400, "M_USER_IN_USE", "User ID already taken");
      }
      uia.requireDummy(body);
      const password = optString(body, "password") ?? "";
      const user = registerAccount(
        hs,
        localpart,
        password,
        optString(body, "device_id"),
        optString(body, "initial_device_display_name"),
      );
      if (optBoolean(body, "inhibit_login") === true) {
        hs.deleteDevice(user.userId, user.deviceId);
        return json({ user_id: user.userId });
      }
      return json({
        user_id: user.userId,
        access_token: user.accessToken,
        device_id: user.deviceId,
      });
    }),
    open("GET", `${V3}/register/available`, ({ query }) => {
      const username = query.get("username") ?? "";
      hs.accounts.validateLocalpart(username);
      if (!hs.accounts.isAvailable(username)) {
        throw new MatrixError(400, "M_USER_IN_USE", "User ID already taken");
      }
      return json({ available: true });
    }),
    open("GET", `${V3}/login`, () => json({ flows: [{ type: "m.login.password" }] })),
    open("POST", `${V3}/login`, ({ body }) => {
      if (body.type !== "m.login.password") {
        throw new MatrixError(400, "M_UNKNOWN", "Unknown login type");
      }
      const identifier = isObject(body.identifier) ? body.identifier : {};
      const named = typeof identifier.user === "string" ? identifier.user : body.user;
      if (typeof named !== "string") throw new MatrixError(400, "M_UNKNOWN", "No user given");
      const userId = named.startsWith("@") ? named : hs.accounts.userIdFor(named);
      const password = optString(body, "password") ?? "";
      if (!hs.accounts.passwordMatches(userId, password)) {
        throw forbidden("Invalid username or password");
      }
      const device = hs.login(
        userId,
        optString(body, "device_id"),
        optString(body, "initial_device_display_name"),
      );
      return json({
        user_id: userId,
        access_token: device.accessToken,
        device_id: device.deviceId,
      });
    }),
    authed("POST", `${V3}/logout`, ({ requester }) => {
      hs.deleteDevice(requester.userId, requester.deviceId);
      return json({});
    }),
    authed("POST", `${V3}/logout/all`, ({ requester }) => {
      const account = hs.accounts.get(requester.userId);
      for (const deviceId of [...(account?.devices.keys() ?? [])]) {
        hs.deleteDevice(requester.userId, deviceId);
      }
      return json({});
    }),
    authed("GET", `${V3}/account/whoami`, ({ requester }) =>
      json({ user_id: requester.userId, device_id: requester.deviceId, is_guest: false }),
    ),
  ];
}
