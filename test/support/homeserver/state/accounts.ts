import { randomBytes } from "node:crypto";
import { MatrixError } from "../errors.js";
import type { Requester } from "../router.js";

export interface Device {
  readonly deviceId: string;
  displayName: string | undefined;
  lastSeenTs: number;
  accessToken: string;
}

export interface Account {
  readonly userId: string;
  readonly password: string;
  displayName: string | undefined;
  avatarUrl: string | undefined;
  readonly devices: Map<string, Device>;
}

const LOCALPART = /^[a-z0-9._=\-/+]+$/;

export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString("base64url");
}

function newDeviceId(): string {
  return randomBytes(5).toString("hex").toUpperCase();
}

/** Users, their passwords and profiles, devices and access tokens. */
export class Accounts {
  private readonly accounts = new Map<string, Account>();
  private readonly tokens = new Map<string, Requester>();

  constructor(private readonly serverName: string) {}

  userIdFor(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  /** Checks a localpart as the spec's user identifier grammar requires. */
  validateLocalpart(localpart: string): void {
    if (!LOCALPART.test(localpart)) {
      throw new MatrixError(400, "M_INVALID_USERNAME", "User ID may only contain a-z 0-9 ._=-/+");
    }
    if (this.userIdFor(localpart).length > 255) {
      throw new MatrixError(400, "M_INVALID_USERNAME", "User ID too long");
    }
  }

  isAvailable(localpart: string): boolean {
    return !this.accounts.has(this.userIdFor(localpart));
  }

  register(localpart: string, password: string): Account {
    this.validateLocalpart(localpart);
    const userId = this.userIdFor(localpart);
    if (this.accounts.has(userId)) {
      throw new MatrixError(400, "M_USER_IN_USE", "User ID already taken");
    }
    const account: Account = {
      userId,
      password,
      displayName: localpart,
      avatarUrl: undefined,
      devices: new Map(),
    };
    this.accounts.set(userId, account);
    return account;
  }

  get(userId: string): Account | undefined {
    return this.accounts.get(userId);
  }

  all(): IterableIterator<Account> {
    return this.accounts.values();
  }

  passwordMatches(userId: string, password: string): boolean {
    return this.accounts.get(userId)?.password === password;
  }

  /**
   * Logs a device in: a known `deviceId` keeps its identity and gets a fresh token (the old one
   * stops working, as the spec says); otherwise a new device is made.
   */
  login(
    userId: string,
    deviceId: string | undefined,
    displayName: string | undefined,
  ): { device: Device; isNew: boolean } {
    const account = this.accounts.get(userId);
    if (account === undefined) throw new MatrixError(403, "M_FORBIDDEN", "Unknown user");
    const accessToken = `syt_${randomId(24)}`;
    const existing = deviceId === undefined ? undefined : account.devices.get(deviceId);
    if (existing !== undefined) {
      this.tokens.delete(existing.accessToken);
      existing.accessToken = accessToken;
      this.tokens.set(accessToken, { userId, deviceId: existing.deviceId, accessToken });
      return { device: existing, isNew: false };
    }
    const device: Device = {
      deviceId: deviceId ?? newDeviceId(),
      displayName,
      lastSeenTs: Date.now(),
      accessToken,
    };
    account.devices.set(device.deviceId, device);
    this.tokens.set(accessToken, { userId, deviceId: device.deviceId, accessToken });
    return { device, isNew: true };
  }

  resolveToken(accessToken: string): Requester | undefined {
    const requester = this.tokens.get(accessToken);
    if (requester === undefined) return undefined;
    const device = this.accounts.get(requester.userId)?.devices.get(requester.deviceId);
    if (device !== undefined) device.lastSeenTs = Date.now();
    return requester;
  }

  /** Removes a device and its access token; returns whether it existed. */
  deleteDevice(userId: string, deviceId: string): boolean {
    const device = this.accounts.get(userId)?.devices.get(deviceId);
    if (device === undefined) return false;
    this.tokens.delete(device.accessToken);
    this.accounts.get(userId)?.devices.delete(deviceId);
    return true;
  }
}
