import { clone, type JsonObject } from "../json.js";

export interface ToDeviceMessage {
  readonly pos: number;
  readonly sender: string;
  readonly type: string;
  readonly content: JsonObject;
}

/**
 * Each device's to-device inbox. Messages stay until the device syncs with a `since` token at
 * or past their position: that is the acknowledgement.
 */
export class ToDeviceInboxes {
  private readonly inboxes = new Map<string, ToDeviceMessage[]>();
  private readonly seenTxns = new Set<string>();

  /** Whether a sendToDevice transaction is new for this device (and records it). */
  firstTime(userId: string, deviceId: string, txnId: string): boolean {
    const key = `${userId}|${deviceId}|${txnId}`;
    if (this.seenTxns.has(key)) return false;
    this.seenTxns.add(key);
    return true;
  }

  deliver(userId: string, deviceId: string, message: ToDeviceMessage): void {
    const key = `${userId}|${deviceId}`;
    const inbox = this.inboxes.get(key) ?? [];
    inbox.push({ ...message, content: clone(message.content) });
    this.inboxes.set(key, inbox);
  }

  /** Drops what `since` acknowledges and returns what is pending up to `upTo`. */
  take(
    userId: string,
    deviceId: string,
    since: number | undefined,
    upTo: number,
  ): ToDeviceMessage[] {
    const key = `${userId}|${deviceId}`;
    let inbox = this.inboxes.get(key) ?? [];
    if (since !== undefined) {
      inbox = inbox.filter((m) => m.pos > since);
      this.inboxes.set(key, inbox);
    }
    return inbox.filter((m) => m.pos <= upTo);
  }

  pendingCount(userId: string, deviceId: string): number {
    return this.inboxes.get(`${userId}|${deviceId}`)?.length ?? 0;
  }

  deleteDevice(userId: string, deviceId: string): void {
    this.inboxes.delete(`${userId}|${deviceId}`);
  }
}
