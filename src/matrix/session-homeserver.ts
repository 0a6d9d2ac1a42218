import { createClient, MatrixError } from "matrix-js-sdk";
import type { Logger } from "../log/log.js";
import { sdkLogger } from "./sdk-logger.js";
import type { Session, SessionHomeserver } from "./session.js";

/** The calls that establish a session, made with a short-lived client of the SDK. */
export function sessionHomeserver(baseUrl: string, log: Logger): SessionHomeserver {
  const logger = sdkLogger(log);
  return {
    async whoami(accessToken) {
      const client = createClient({ baseUrl, accessToken, logger });
      const who = await client.whoami();
      return { userId: who.user_id, deviceId: who.device_id };
    },
    async login(user, password, deviceId, displayName): Promise<Session> {
      const client = createClient({ baseUrl, logger });
      const response = await client.loginRequest({
        type: "m.login.password",
        identifier: { type: "m.id.user", user },
        password,
        initial_device_display_name: displayName,
        ...(deviceId === undefined ? {} : { device_id: deviceId }),
      });
      return {
        userId: response.user_id,
        deviceId: response.device_id,
        accessToken: response.access_token,
      };
    },
    async deleteDevice(accessToken, userId, password, deviceId) {
      const client = createClient({ baseUrl, accessToken, logger });
      // The first answer is the question (401 with a session); the second has the password.
      let session: unknown;
      try {
        await client.deleteDevice(deviceId);
        return;
      } catch (error) {
        if (!(error instanceof MatrixError) || error.httpStatus !== 401) throw error;
        session = error.data.session;
      }
      await client.deleteDevice(deviceId, {
        type: "m.login.password",
        identifier: { type: "m.id.user", user: userId },
        password,
        ...(typeof session === "string" ? { session } : {}),
      });
    },
  };
}
