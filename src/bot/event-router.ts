import type { EventHandler, RoomEventHook } from "../matrix/inbox.js";

/**
 * Every inbound event goes to the room-event hooks (in order) and then to the message handler,
 * all in the one transaction that records the event as handled.
 */
export function withRoomEvents(
  messages: EventHandler,
  hooks: readonly RoomEventHook[],
): EventHandler {
  return {
    async prepare(event) {
      if (event.getType() === "m.room.message") return messages.prepare?.(event);
      const prepared: unknown[] = [];
      for (const hook of hooks) prepared.push(await hook.prepare?.(event));
      return prepared;
    },
    async handle(event, manager, prepared) {
      if (event.getType() !== "m.room.message") {
        const each = Array.isArray(prepared) ? (prepared as unknown[]) : [];
        for (const [i, hook] of hooks.entries()) await hook.handle(event, manager, each[i]);
        return;
      }
      await messages.handle(event, manager, prepared);
    },
    failed: (event, manager) => messages.failed(event, manager),
    askToResend: (event, manager) => messages.askToResend(event, manager),
  };
}
