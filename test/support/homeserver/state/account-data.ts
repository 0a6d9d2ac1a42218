import { clone, type JsonObject } from "../json.js";

export interface AccountDataEntry {
  readonly type: string;
  readonly content: JsonObject;
  readonly pos: number;
}

const GLOBAL = "";

/** Per-user account data, global and per room, stamped with stream positions. */
export class AccountDataStore {
  private readonly entries = new Map<string, Map<string, AccountDataEntry>>();

  private scope(userId: string, roomId: string): Map<string, AccountDataEntry> {
    const key = `${userId}|${roomId}`;
    const scope = this.entries.get(key) ?? new Map<string, AccountDataEntry>();
    this.entries.set(key, scope);
    return scope;
  }

  set(
    userId: string,
    roomId: string | undefined,
    type: string,
    content: JsonObject,
    pos: number,
  ): void {
    this.scope(userId, roomId ?? GLOBAL).set(type, { type, content: clone(content), pos });
  }

  get(userId: string, roomId: string | undefined, type: string): JsonObject | undefined {
    return this.entries.get(`${userId}|${roomId ?? GLOBAL}`)?.get(type)?.content;
  }

  /** Entries changed after `since` (all when `since` is undefined) and at or before `upTo`. */
  changedSince(
    userId: string,
    roomId: string | undefined,
    since: number | undefined,
    upTo = Infinity,
  ): AccountDataEntry[] {
    const scope = this.entries.get(`${userId}|${roomId ?? GLOBAL}`);
    return [...(scope?.values() ?? [])].filter(
      (e) => (since === undefined || e.pos > since) && e.pos <= upTo,
    );
  }
}
