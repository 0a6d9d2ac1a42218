import { badJson, notFound } from "../errors.js";
import { optString, optStringArray } from "../json.js";
import { authed, json, type Route } from "../router.js";
import type { Device } from "../state/accounts.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { UserInteractiveAuth } from "../uia.js";

const V3 = "/_matrix/client/v3";

/** Device management and send-to-device messaging. */
export function deviceRoutes(hs: HomeserverState, uia: UserInteractiveAuth): Route[] {
  const view = (device: Device) => ({
    device_id: device.deviceId,
    ...(device.displayName === undefined ? {} : { display_name: device.displayName }),
    last_seen_ts: device.lastSeenTs,
  });
  const device = (userId: string, deviceId: string): Device => {
    const found = hs.accounts.get(userId)?.devices.get(deviceId);
    if (found === undefined) throw notFound("Device not found");
    return found;
  };
  return [
    authed("GET", `${V3}/devices`, ({ requester }) =>
      json({ devices: [...(hs.accounts.get(requester.userId)?.devices.values() ?? [])].map(view) }),
    ),
    authed("GET", `${V3}/devices/:deviceId`, ({ params, requester }) =>
      json(view(device(requester.userId, params.deviceId ?? ""))),
    ),
    authed("PUT", `${V3}/devices/:deviceId`, ({ params, body, requester }) => {
      device(requester.userId, params.deviceId ?? "").displayName = optString(body, "display_name");
      hs.recordKeyChange(requester.userId);
      return json({});
    }),
    authed("DELETE", `${V3}/devices/:deviceId`, ({ params, body, requester }) => {
      device(requester.userId, params.deviceId ?? "");
      uia.requirePassword(body, requester.userId);
      hs.deleteDevice(requester.userId, params.deviceId ?? "");
      return json({});
    }),
    authed("POST", `${V3}/delete_devices`, ({ body, requester }) => {
      const deviceIds = optStringArray(body, "devices");
      if (deviceIds === undefined) throw badJson("devices is required");
      uia.requirePassword(body, requester.userId);
      for (const deviceId of deviceIds) hs.deleteDevice(requester.userId, deviceId);
      return json({});
    }),
    authed("PUT", `${V3}/sendToDevice/:eventType/:txnId`, ({ params, body, requester }) => {
      const { userId, deviceId } = requester;
      if (!hs.toDevice.firstTime(userId, deviceId, params.txnId ?? "")) return json({});
      const messages = body.messages;
      if (typeof messages !== "object" || messages === null) throw badJson("messages is required");
      const pos = hs.stream.advance(userId);
      for (const [target, perDevice] of Object.entries(messages as Record<string, unknown>)) {
        const account = hs.accounts.get(target);
        if (account === undefined || typeof perDevice !== "object" || perDevice === null) continue;
        for (const [targetDevice, content] of Object.entries(
          perDevice as Record<string, unknown>,
        )) {
          if (typeof content !== "object" || content === null) continue;
          const devices = targetDevice === "*" ? [...account.devices.keys()] : [targetDevice];
          for (const id of devices) {
            if (!account.devices.has(id)) continue;
            hs.toDevice.deliver(target, id, {
              pos,
              sender: userId,
              type: params.eventType ?? "",
              content: content as Record<string, unknown>,
            });
          }
        }
      }
      return json({});
    }),
  ];
}
