import { badJson, forbidden, invalidParam, notFound } from "../errors.js";
import { optBoolean, optNumber, optString } from "../json.js";
import { stopTyping } from "../room-writer.js";
import { authed, json, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { Room } from "../state/room.js";

const V3 = "/_matrix/client/v3";
const RECEIPT_TYPES = new Set(["m.read", "m.read.private", "m.fully_read"]);
const MAX_TYPING_MS = 120_000;

/** Read receipts, read markers and typing notifications (ephemeral events in sync). */
export function receiptTypingRoutes(hs: HomeserverState): Route[] {
  const joinedRoom = (roomId: string, userId: string): Room => {
    const room = hs.room(roomId);
    if (room.membership(userId) !== "join") throw forbidden("You are not in the room");
    return room;
  };
  const receipt = (
    room: Room,
    userId: string,
    receiptType: string,
    eventId: string,
    threadId: string | undefined,
  ): void => {
    if (room.event(eventId) === undefined) throw notFound("Event not found");
    if (receiptType === "m.fully_read") {
      hs.accountData.set(
        userId,
        room.roomId,
        "m.fully_read",
        { event_id: eventId },
        hs.stream.advance(userId),
      );
      return;
    }
    const pos = hs.stream.advance(userId);
    room.receipts.set(`${receiptType}|${userId}|${threadId ?? ""}`, {
      eventId,
      receiptType,
      userId,
      ts: Date.now(),
      threadId,
      pos,
    });
  };
  return [
    authed(
      "POST",
      `${V3}/rooms/:roomId/receipt/:receiptType/:eventId`,
      ({ params, body, requester }) => {
        const room = joinedRoom(params.roomId ?? "", requester.userId);
        const receiptType = params.receiptType ?? "";
        if (!RECEIPT_TYPES.has(receiptType))
          throw invalidParam(`Unknown receipt type ${receiptType}`);
        receipt(
          room,
          requester.userId,
          receiptType,
          params.eventId ?? "",
          optString(body, "thread_id"),
        );
        return json({});
      },
    ),
    authed("POST", `${V3}/rooms/:roomId/read_markers`, ({ params, body, requester }) => {
      const room = joinedRoom(params.roomId ?? "", requester.userId);
      for (const receiptType of ["m.fully_read", "m.read", "m.read.private"]) {
        const eventId = optString(body, receiptType);
        if (eventId !== undefined) receipt(room, requester.userId, receiptType, eventId, undefined);
      }
      return json({});
    }),
    authed("PUT", `${V3}/rooms/:roomId/typing/:userId`, ({ params, body, requester }) => {
      if (params.userId !== requester.userId) throw forbidden("Cannot type for another user");
      const room = joinedRoom(params.roomId ?? "", requester.userId);
      const typing = optBoolean(body, "typing");
      if (typing === undefined) throw badJson("typing is required");
      stopTyping(hs, room, requester.userId);
      if (typing) {
        const timeout = Math.min(optNumber(body, "timeout") ?? 30_000, MAX_TYPING_MS);
        const timer = setTimeout(() => {
          stopTyping(hs, room, requester.userId);
        }, timeout);
        timer.unref();
        room.typing.set(requester.userId, timer);
        room.typingPos = hs.stream.advance(requester.userId);
      }
      return json({});
    }),
  ];
}
