import type { JsonObject } from "./json.js";
import { toClientEvent } from "./state/events.js";
import type { Room } from "./state/room.js";

/** A live, read-only view of a room for test assertions. */
export class RoomView {
  constructor(private readonly room: Room) {}

  get roomId(): string {
    return this.room.roomId;
  }

  get version(): string {
    return this.room.version;
  }

  /** The current state events, as clients see them. */
  get stateEvents(): JsonObject[] {
    return [...this.room.currentState.values()].map((e) => toClientEvent(e, undefined));
  }

  /** The content of a current state event, if set. */
  stateContent(type: string, stateKey = ""): JsonObject | undefined {
    return this.room.stateEvent(type, stateKey)?.content;
  }

  membership(userId: string): string | undefined {
    return this.room.membership(userId);
  }

  /** Every user with a membership event, mapped to their current membership. */
  get members(): ReadonlyMap<string, string> {
    const members = new Map<string, string>();
    for (const event of this.room.currentState.values()) {
      const membership = event.content.membership;
      if (event.type === "m.room.member" && typeof membership === "string") {
        members.set(event.stateKey ?? "", membership);
      }
    }
    return members;
  }

  /** All events of the room, oldest first, as clients see them (redactions applied). */
  get timeline(): JsonObject[] {
    return this.room.events.map((e) => toClientEvent(e, undefined));
  }
}
