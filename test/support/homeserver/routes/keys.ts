import { deviceListChanges } from "../device-lists.js";
import { badJson, invalidParam } from "../errors.js";
import { isObject, optObject, type JsonObject } from "../json.js";
import { authed, json, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { CrossSigningUsage } from "../state/keys.js";
import { parseStreamToken } from "../sync.js";
import type { UserInteractiveAuth } from "../uia.js";

const V3 = "/_matrix/client/v3";

const CROSS_SIGNING_FIELDS: readonly [string, CrossSigningUsage][] = [
  ["master_key", "master"],
  ["self_signing_key", "self_signing"],
  ["user_signing_key", "user_signing"],
];

/** End-to-end encryption keys: device, one-time, fallback and cross-signing keys. */
export function keyRoutes(hs: HomeserverState, uia: UserInteractiveAuth): Route[] {
  const deviceKeysFor = (userId: string, wanted: unknown): JsonObject => {
    const out: JsonObject = {};
    const account = hs.accounts.get(userId);
    const deviceIds =
      Array.isArray(wanted) && wanted.length > 0 ? (wanted as unknown[]) : undefined;
    for (const [deviceId, keys] of hs.keys.deviceKeys(userId)) {
      if (deviceIds !== undefined && !deviceIds.includes(deviceId)) continue;
      const displayName = account?.devices.get(deviceId)?.displayName;
      out[deviceId] = {
        ...structuredClone(keys),
        unsigned: displayName === undefined ? {} : { device_display_name: displayName },
      };
    }
    return out;
  };
  return [
    authed("POST", `${V3}/keys/upload`, ({ body, requester }) => {
      const { userId, deviceId } = requester;
      const deviceKeys = optObject(body, "device_keys");
      if (deviceKeys !== undefined) {
        if (deviceKeys.user_id !== userId || deviceKeys.device_id !== deviceId) {
          throw invalidParam("device_keys must be for the requesting device");
        }
        if (hs.keys.setDeviceKeys(userId, deviceId, deviceKeys)) hs.recordKeyChange(userId);
      }
      const oneTimeKeys = optObject(body, "one_time_keys");
      if (oneTimeKeys !== undefined) hs.keys.addOneTimeKeys(userId, deviceId, oneTimeKeys);
      const fallbackKeys = optObject(body, "fallback_keys");
      if (fallbackKeys !== undefined) hs.keys.setFallbackKeys(userId, deviceId, fallbackKeys);
      return json({ one_time_key_counts: hs.keys.oneTimeKeyCounts(userId, deviceId) });
    }),
    authed("POST", `${V3}/keys/query`, ({ body, requester }) => {
      const wanted = optObject(body, "device_keys") ?? {};
      const deviceKeys: JsonObject = {};
      const masterKeys: JsonObject = {};
      const selfSigningKeys: JsonObject = {};
      const userSigningKeys: JsonObject = {};
      for (const [userId, devices] of Object.entries(wanted)) {
        deviceKeys[userId] = deviceKeysFor(userId, devices);
        const crossSigning = hs.keys.crossSigningKeys(userId);
        if (crossSigning.master !== undefined) masterKeys[userId] = crossSigning.master;
        if (crossSigning.self_signing !== undefined) {
          selfSigningKeys[userId] = crossSigning.self_signing;
        }
        if (userId === requester.userId && crossSigning.user_signing !== undefined) {
          userSigningKeys[userId] = crossSigning.user_signing;
        }
      }
      return json({
        device_keys: deviceKeys,
        failures: {},
        master_keys: masterKeys,
        self_signing_keys: selfSigningKeys,
        user_signing_keys: userSigningKeys,
      });
    }),
    authed("POST", `${V3}/keys/claim`, ({ body }) => {
      const wanted = optObject(body, "one_time_keys") ?? {};
      const claimed: JsonObject = {};
      for (const [userId, devices] of Object.entries(wanted)) {
        if (!isObject(devices)) throw badJson("one_time_keys entries must be objects");
        const perDevice: JsonObject = {};
        for (const [deviceId, algorithm] of Object.entries(devices)) {
          if (typeof algorithm !== "string") throw badJson("algorithm must be a string");
          const key = hs.keys.claim(userId, deviceId, algorithm);
          if (key !== undefined) perDevice[deviceId] = key;
        }
        claimed[userId] = perDevice;
      }
      return json({ one_time_keys: claimed, failures: {} });
    }),
    authed("GET", `${V3}/keys/changes`, ({ query, requester }) => {
      const from = parseStreamToken(query.get("from") ?? "");
      const to = parseStreamToken(query.get("to") ?? "");
      if (from === undefined || to === undefined) throw invalidParam("from and to are required");
      return json(deviceListChanges(hs, requester.userId, from, to));
    }),
    authed("POST", `${V3}/keys/device_signing/upload`, ({ body, requester }) => {
      const existing = hs.keys.crossSigningKeys(requester.userId);
      const uploads: [CrossSigningUsage, JsonObject][] = [];
      for (const [field, usage] of CROSS_SIGNING_FIELDS) {
        const key = optObject(body, field);
        if (key !== undefined) uploads.push([usage, key]);
      }
      // Spec v1.11: UIA is needed unless this is the first master key or a repeat upload.
      const replacesKeys =
        existing.master !== undefined &&
        uploads.some(([usage, key]) => JSON.stringify(existing[usage]) !== JSON.stringify(key));
      if (replacesKeys) uia.requirePassword(body, requester.userId);
      for (const [usage, key] of uploads) hs.keys.setCrossSigningKey(requester.userId, usage, key);
      if (uploads.length > 0) hs.recordKeyChange(requester.userId);
      return json({});
    }),
    authed("POST", `${V3}/keys/signatures/upload`, ({ body, requester }) => {
      const failures: JsonObject = {};
      const changed = new Set<string>();
      for (const [userId, keys] of Object.entries(body)) {
        if (!isObject(keys)) throw badJson("signatures must be objects");
        for (const [keyId, signed] of Object.entries(keys)) {
          if (isObject(signed) && hs.keys.addSignatures(userId, keyId, signed)) {
            // Signing someone else's master key is the signer's own business.
            changed.add(userId === requester.userId ? userId : requester.userId);
          } else {
            const userFailures = isObject(failures[userId]) ? failures[userId] : {};
            userFailures[keyId] = { errcode: "M_INVALID_SIGNATURE", error: "Unknown key" };
            failures[userId] = userFailures;
          }
        }
      }
      for (const userId of changed) hs.recordKeyChange(userId);
      return json({ failures });
    }),
  ];
}
