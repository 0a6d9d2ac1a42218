import { notFound } from "../errors.js";
import type { JsonObject } from "../json.js";
import { AccountDataStore } from "./account-data.js";
import { Accounts, randomId, type Device } from "./accounts.js";
import { KeyStore } from "./keys.js";
import { MediaStore } from "./media.js";
import { Room } from "./room.js";
import { Stream } from "./stream.js";
import { ToDeviceInboxes } from "./to-device.js";

/** Everything the homeserver knows; lives in memory and survives `restart()`. */
export class HomeserverState {
  readonly stream: Stream;
  readonly accounts: Accounts;
  readonly rooms = new Map<string, Room>();
  readonly aliases = new Map<string, string>();
  readonly keys = new KeyStore();
  /** The stream position of each user's latest device-list change. */
  readonly keyChanges = new Map<string, number>();
  readonly toDevice = new ToDeviceInboxes();
  readonly accountData = new AccountDataStore();
  readonly media = new MediaStore();
  private readonly filters = new Map<string, JsonObject>();
  private readonly transactions = new Map<string, string>();

  constructor(
    readonly serverName: string,
    deliveryDelayMs = 0,
  ) {
    this.stream = new Stream(deliveryDelayMs);
    this.accounts = new Accounts(serverName);
  }

  room(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (room === undefined) throw notFound("Unknown room");
    return room;
  }

  newRoomId(): string {
    return `!${randomId(14)}:${this.serverName}`;
  }

  /** Marks the user's device list as changed (key upload, new or deleted device). */
  recordKeyChange(userId: string): void {
    this.keyChanges.set(userId, this.stream.advance(userId));
  }

  /** Logs in a device; a device that did not exist yet is a device-list change. */
  login(userId: string, deviceId: string | undefined, displayName: string | undefined): Device {
    const { device, isNew } = this.accounts.login(userId, deviceId, displayName);
    if (isNew) this.recordKeyChange(userId);
    return device;
  }

  deleteDevice(userId: string, deviceId: string): void {
    if (!this.accounts.deleteDevice(userId, deviceId)) return;
    this.keys.deleteDevice(userId, deviceId);
    this.toDevice.deleteDevice(userId, deviceId);
    this.recordKeyChange(userId);
  }

  saveFilter(userId: string, filter: JsonObject): string {
    const filterId = String(this.filters.size);
    this.filters.set(`${userId}|${filterId}`, filter);
    return filterId;
  }

  filter(userId: string, filterId: string): JsonObject | undefined {
    return this.filters.get(`${userId}|${filterId}`);
  }

  /** The event id an earlier request of the same device with the same `scope` created. */
  transaction(requesterKey: string): string | undefined {
    return this.transactions.get(requesterKey);
  }

  rememberTransaction(requesterKey: string, eventId: string): void {
    this.transactions.set(requesterKey, eventId);
  }
}
