import type { JsonObject } from "../json.js";
import {
  newEventId,
  redactedContent,
  stateKeyOf,
  type RoomState,
  type StoredEvent,
} from "./events.js";

export interface Receipt {
  readonly eventId: string;
  readonly receiptType: string;
  readonly userId: string;
  readonly ts: number;
  readonly threadId: string | undefined;
  readonly pos: number;
}

export interface NewEvent {
  readonly sender: string;
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly content: JsonObject;
  readonly redacts: string | undefined;
  readonly txn: { readonly deviceId: string; readonly txnId: string } | undefined;
}

const EMPTY_STATE: RoomState = new Map();

/** One room: its ordered events, state history, receipts and typing notifications. */
export class Room {
  readonly events: StoredEvent[] = [];
  private readonly byId = new Map<string, StoredEvent>();
  private state: RoomState = EMPTY_STATE;
  readonly receipts = new Map<string, Receipt>();
  readonly typing = new Map<string, NodeJS.Timeout>();
  typingPos = 0;
  directoryVisibility: "public" | "private" = "private";
  /** Users who forgot the room after leaving it (no more `leave` entries in their sync). */
  readonly forgotten = new Set<string>();

  constructor(
    readonly roomId: string,
    readonly version: string,
  ) {}

  get currentState(): RoomState {
    return this.state;
  }

  stateEvent(type: string, stateKey = "", state: RoomState = this.state): StoredEvent | undefined {
    return state.get(stateKeyOf(type, stateKey));
  }

  /** The user's membership in `state` (current by default); `undefined` when never a member. */
  membership(userId: string, state: RoomState = this.state): string | undefined {
    const membership = this.stateEvent("m.room.member", userId, state)?.content.membership;
    return typeof membership === "string" ? membership : undefined;
  }

  /** Users whose membership in `state` is `membership`. */
  usersWith(membership: string, state: RoomState = this.state): string[] {
    const users: string[] = [];
    for (const event of state.values()) {
      if (event.type === "m.room.member" && event.content.membership === membership) {
        users.push(event.stateKey ?? "");
      }
    }
    return users;
  }

  event(eventId: string): StoredEvent | undefined {
    return this.byId.get(eventId);
  }

  /** Index of the first event with `pos > after`. */
  private indexAfter(after: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.events[mid]?.pos ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The state as it was at stream position `pos`. */
  stateAt(pos: number): RoomState {
    const index = this.indexAfter(pos) - 1;
    return index < 0 ? EMPTY_STATE : (this.events[index]?.stateAfter ?? EMPTY_STATE);
  }

  /** Events with `after < pos <= upTo`, oldest first. */
  eventsBetween(after: number, upTo: number): StoredEvent[] {
    return this.events.slice(this.indexAfter(after), this.indexAfter(upTo));
  }

  append(fields: NewEvent, pos: number): StoredEvent {
    const replaces =
      fields.stateKey === undefined ? undefined : this.stateEvent(fields.type, fields.stateKey);
    const event: StoredEvent = {
      eventId: newEventId(),
      roomId: this.roomId,
      sender: fields.sender,
      type: fields.type,
      stateKey: fields.stateKey,
      content: fields.content,
      originServerTs: Date.now(),
      pos,
      redacts: fields.redacts,
      stateBefore: this.state,
      stateAfter: this.state,
      replaces,
      txn: fields.txn,
      redactedBecause: undefined,
    };
    if (fields.stateKey !== undefined) {
      const next = new Map(this.state);
      next.set(stateKeyOf(fields.type, fields.stateKey), event);
      this.state = next;
      event.stateAfter = next;
    }
    this.events.push(event);
    this.byId.set(event.eventId, event);
    return event;
  }

  /** Applies a redaction to its target, as the redaction algorithm says. */
  applyRedaction(target: StoredEvent, redaction: StoredEvent): void {
    if (target.redactedBecause !== undefined) return;
    target.content = redactedContent(target.type, target.content);
    target.redactedBecause = redaction;
  }
}
