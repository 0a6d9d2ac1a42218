import { Direction, type IRoomEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import type { Logger } from "../log/log.js";
import type { HandledEvents } from "./handled-events.js";

/** Pages of `/messages` a gap is filled with at most (each of PAGE_SIZE events). */
const MAX_GAP_PAGES = 40;
const PAGE_SIZE = 50;

/** What reading a timeline gap needs: the client, the log, and what was handled. */
export interface GapReader {
  readonly client: MatrixClient;
  readonly log: Logger;
  readonly handled: HandledEvents;
}

/** The room's first event, or the bot's join: what a gap is filled back to. */
export function isTimelineStart(event: MatrixEvent, botUserId: string): boolean {
  if (event.getType() === "m.room.create") return true;
  return (
    event.getType() === "m.room.member" &&
    event.getStateKey() === botUserId &&
    event.getContent()["membership"] === "join"
  );
}

/** The events from the last handled one (or the bot's join) up to `token`, oldest first. */
export async function missedBefore(
  { client, log, handled }: GapReader,
  roomId: string,
  token: string | null,
): Promise<MatrixEvent[]> {
  const botUserId = client.getSafeUserId();
  const missed: IRoomEvent[] = [];
  let from = token;
  let pages = 0;
  for (; from !== null && pages < MAX_GAP_PAGES; pages++) {
    const page = await client.createMessagesRequest(roomId, from, PAGE_SIZE, Direction.Backward);
    let reachedKnown = false;
    for (const raw of page.chunk) {
      if (await handled.has(raw.event_id)) {
        reachedKnown = true;
        break;
      }
      missed.push(raw);
      const joinedHere =
        raw.type === "m.room.member" &&
        (raw as IRoomEvent & { state_key?: string }).state_key === botUserId &&
        raw.content["membership"] === "join";
      if (joinedHere) {
        reachedKnown = true;
        break;
      }
    }
    if (reachedKnown || page.chunk.length === 0) break;
    from = page.end ?? null;
  }
  if (pages === MAX_GAP_PAGES)
    log.warn("gap longer than the back-fill limit; older events skipped", {
      roomId,
      count: missed.length,
    });
  if (missed.length > 0)
    log.info("filling a gap in the timeline", { roomId, count: missed.length });
  const mapper = client.getEventMapper();
  return missed.reverse().map((raw) => mapper({ ...raw, room_id: roomId }));
}
