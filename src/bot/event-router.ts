import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { EventHandler } from "../matrix/inbox.js";

/** A workflow's interest in room events other than messages (joins to its rooms, say). */
export type RoomEventHook = (event: MatrixEvent, manager: EntityManager) => Promise<void>;

/**
 * Every inbound event goes to the workflows' room-event hooks and then to the message handler,
 * all in the one transaction that records the event as handled.
 */
export function withRoomEvents(
  messages: EventHandler,
  hooks: readonly RoomEventHook[],
): EventHandler {
  return {
    prepare: (event) => messages.prepare?.(event) ?? Promise.resolve(undefined),
    async handle(event, manager, prepared) {
      if (event.getType() !== "m.room.message")
        for (const hook of hooks) await hook(event, manager);
      await messages.handle(event, manager, prepared);
    },
    failed: (event, manager) => messages.failed(event, manager),
    askToResend: (event, manager) => messages.askToResend(event, manager),
  };
}
