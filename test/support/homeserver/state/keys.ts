import { MatrixError } from "../errors.js";
import { clone, isObject, type JsonObject } from "../json.js";

interface FallbackKey {
  readonly keyId: string;
  readonly key: unknown;
  used: boolean;
}

export type CrossSigningUsage = "master" | "self_signing" | "user_signing";

const deviceKey = (userId: string, deviceId: string): string => `${userId}|${deviceId}`;

/** Device keys, one-time and fallback keys, cross-signing keys. */
export class KeyStore {
  private readonly devices = new Map<string, Map<string, JsonObject>>();
  private readonly oneTime = new Map<string, Map<string, unknown>>();
  private readonly fallback = new Map<string, Map<string, FallbackKey>>();
  private readonly crossSigning = new Map<string, Partial<Record<CrossSigningUsage, JsonObject>>>();

  /** Stores a device's identity keys; returns whether they changed. */
  setDeviceKeys(userId: string, deviceId: string, keys: JsonObject): boolean {
    const userDevices = this.devices.get(userId) ?? new Map<string, JsonObject>();
    this.devices.set(userId, userDevices);
    const before = userDevices.get(deviceId);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(keys)) return false;
    userDevices.set(deviceId, clone(keys));
    return true;
  }

  deviceKeys(userId: string): ReadonlyMap<string, JsonObject> {
    return this.devices.get(userId) ?? new Map();
  }

  /**
   * Adds one-time keys. An unclaimed key under the same ID must be the same key (signatures
   * aside), or nothing is added: Synapse answers `400 M_UNKNOWN` "One time key … already
   * exists", as a device whose crypto store was restored from a backup meets (its key counter is
   * behind the keys it uploaded since).
   */
  addOneTimeKeys(userId: string, deviceId: string, keys: JsonObject): void {
    const store = this.oneTime.get(deviceKey(userId, deviceId)) ?? new Map<string, unknown>();
    const unsigned = (key: unknown): string => {
      if (!isObject(key)) return JSON.stringify(key);
      const rest = Object.fromEntries(Object.entries(key).filter(([k]) => k !== "signatures"));
      return JSON.stringify(rest, Object.keys(rest).sort());
    };
    for (const [keyId, key] of Object.entries(keys)) {
      const existing = store.get(keyId);
      if (existing !== undefined && unsigned(existing) !== unsigned(key))
        throw new MatrixError(400, "M_UNKNOWN", `One time key ${keyId} already exists`);
    }
    this.oneTime.set(deviceKey(userId, deviceId), store);
    for (const [keyId, key] of Object.entries(keys)) store.set(keyId, clone(key));
  }

  setFallbackKeys(userId: string, deviceId: string, keys: JsonObject): void {
    const store = this.fallback.get(deviceKey(userId, deviceId)) ?? new Map<string, FallbackKey>();
    this.fallback.set(deviceKey(userId, deviceId), store);
    for (const [keyId, key] of Object.entries(keys)) {
      const algorithm = keyId.split(":")[0] ?? keyId;
      store.set(algorithm, { keyId, key: clone(key), used: false });
    }
  }

  /** Unclaimed one-time keys per algorithm (`signed_curve25519` always present). */
  oneTimeKeyCounts(userId: string, deviceId: string): Record<string, number> {
    const counts: Record<string, number> = { signed_curve25519: 0 };
    for (const keyId of this.oneTime.get(deviceKey(userId, deviceId))?.keys() ?? []) {
      const algorithm = keyId.split(":")[0] ?? keyId;
      counts[algorithm] = (counts[algorithm] ?? 0) + 1;
    }
    return counts;
  }

  unusedFallbackKeyTypes(userId: string, deviceId: string): string[] {
    const store = this.fallback.get(deviceKey(userId, deviceId));
    return [...(store?.entries() ?? [])].filter(([, k]) => !k.used).map(([alg]) => alg);
  }

  /** Takes one one-time key of `algorithm`, or else the device's fallback key. */
  claim(userId: string, deviceId: string, algorithm: string): JsonObject | undefined {
    const store = this.oneTime.get(deviceKey(userId, deviceId));
    for (const [keyId, key] of store ?? []) {
      if (keyId.startsWith(`${algorithm}:`)) {
        store?.delete(keyId);
        return { [keyId]: key };
      }
    }
    const fallback = this.fallback.get(deviceKey(userId, deviceId))?.get(algorithm);
    if (fallback === undefined) return undefined;
    fallback.used = true;
    return { [fallback.keyId]: clone(fallback.key) };
  }

  deleteDevice(userId: string, deviceId: string): void {
    this.devices.get(userId)?.delete(deviceId);
    this.oneTime.delete(deviceKey(userId, deviceId));
    this.fallback.delete(deviceKey(userId, deviceId));
  }

  crossSigningKeys(userId: string): Partial<Record<CrossSigningUsage, JsonObject>> {
    return this.crossSigning.get(userId) ?? {};
  }

  setCrossSigningKey(userId: string, usage: CrossSigningUsage, key: JsonObject): void {
    const keys = this.crossSigning.get(userId) ?? {};
    keys[usage] = clone(key);
    this.crossSigning.set(userId, keys);
  }

  /**
   * Merges the signatures of `signed` into the stored object `keyId` names: a device of
   * `userId`, or one of its cross-signing keys (by public key). Returns false when unknown.
   */
  addSignatures(userId: string, keyId: string, signed: JsonObject): boolean {
    const target =
      this.devices.get(userId)?.get(keyId) ??
      Object.values(this.crossSigning.get(userId) ?? {}).find((key) =>
        isObject(key.keys) ? Object.keys(key.keys).includes(`ed25519:${keyId}`) : false,
      );
    if (target === undefined || !isObject(signed.signatures)) return false;
    const signatures = isObject(target.signatures) ? target.signatures : {};
    for (const [signer, sigs] of Object.entries(signed.signatures)) {
      if (!isObject(sigs)) continue;
      const existing = signatures[signer];
      signatures[signer] = { ...(isObject(existing) ? existing : {}), ...clone(sigs) };
    }
    target.signatures = signatures;
    return true;
  }
}
