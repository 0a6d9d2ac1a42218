import { forbidden, notFound } from "../errors.js";
import { optString } from "../json.js";
import { sendEvent } from "../room-writer.js";
import { authed, json, type AuthedContext, type Route } from "../router.js";
import { toClientEvent } from "../state/events.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { Room } from "../state/room.js";
import { parseStreamToken } from "../sync.js";
import { canSeeEvent, readableState } from "../visibility.js";

const V3 = "/_matrix/client/v3";

/** Sending, redacting, reading single events, and room state. */
export function roomEventRoutes(hs: HomeserverState): Route[] {
  /** Runs `create` once per device and transaction id; a repeat answers the first event id. */
  const idempotent = (ctx: AuthedContext, scope: string, create: () => string) => {
    const { requester, params } = ctx;
    const key = `${requester.userId}|${requester.deviceId}|${scope}|${params.txnId ?? ""}`;
    const earlier = hs.transaction(key);
    if (earlier !== undefined) return json({ event_id: earlier });
    const eventId = create();
    hs.rememberTransaction(key, eventId);
    return json({ event_id: eventId });
  };
  const txnOf = (ctx: AuthedContext) => ({
    deviceId: ctx.requester.deviceId,
    txnId: ctx.params.txnId ?? "",
  });
  const stateFor = (room: Room, userId: string) => {
    const state = readableState(room, userId);
    if (state === undefined) throw forbidden("You are not allowed to view this room");
    return state;
  };
  const putState = ({ params, body, requester }: AuthedContext) => {
    const room = hs.room(params.roomId ?? "");
    const event = sendEvent(hs, room, {
      sender: requester.userId,
      type: params.eventType ?? "",
      stateKey: params.stateKey ?? "",
      content: body,
    });
    return json({ event_id: event.eventId });
  };
  return [
    authed("PUT", `${V3}/rooms/:roomId/send/:eventType/:txnId`, (ctx) => {
      const room = hs.room(ctx.params.roomId ?? "");
      return idempotent(ctx, `send|${room.roomId}`, () => {
        return sendEvent(hs, room, {
          sender: ctx.requester.userId,
          type: ctx.params.eventType ?? "",
          content: ctx.body,
          txn: txnOf(ctx),
        }).eventId;
      });
    }),
    authed("PUT", `${V3}/rooms/:roomId/redact/:eventId/:txnId`, (ctx) => {
      const room = hs.room(ctx.params.roomId ?? "");
      return idempotent(ctx, `redact|${room.roomId}`, () => {
        const target = room.event(ctx.params.eventId ?? "");
        if (target === undefined || !canSeeEvent(room, target, ctx.requester.userId)) {
          throw notFound("Event not found");
        }
        const reason = optString(ctx.body, "reason");
        return sendEvent(hs, room, {
          sender: ctx.requester.userId,
          type: "m.room.redaction",
          content: reason === undefined ? {} : { reason },
          redacts: target.eventId,
          txn: txnOf(ctx),
        }).eventId;
      });
    }),
    authed("GET", `${V3}/rooms/:roomId/event/:eventId`, ({ params, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const event = room.event(params.eventId ?? "");
      if (event === undefined || !canSeeEvent(room, event, requester.userId)) {
        throw notFound("Event not found");
      }
      return json(toClientEvent(event, requester.deviceId, requester.userId));
    }),
    authed("GET", `${V3}/rooms/:roomId/state`, ({ params, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const state = stateFor(room, requester.userId);
      return json([...state.values()].map((e) => toClientEvent(e, undefined)));
    }),
    authed(
      "GET",
      `${V3}/rooms/:roomId/state/:eventType/:stateKey?`,
      ({ params, query, requester }) => {
        const room = hs.room(params.roomId ?? "");
        const state = stateFor(room, requester.userId);
        const event = room.stateEvent(params.eventType ?? "", params.stateKey ?? "", state);
        if (event === undefined) throw notFound("Event not found");
        const format = query.get("format");
        return json(format === "event" ? toClientEvent(event, undefined) : event.content);
      },
    ),
    authed("PUT", `${V3}/rooms/:roomId/state/:eventType/:stateKey?`, putState),
    authed("GET", `${V3}/rooms/:roomId/members`, ({ params, query, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const readable = stateFor(room, requester.userId);
      const at = query.get("at");
      const atPos = at === null ? undefined : parseStreamToken(at);
      const state = atPos === undefined ? readable : room.stateAt(atPos);
      const only = query.get("membership");
      const not = query.get("not_membership");
      const chunk = [...state.values()]
        .filter((e) => e.type === "m.room.member")
        .filter((e) => only === null || e.content.membership === only)
        .filter((e) => not === null || e.content.membership !== not)
        .map((e) => toClientEvent(e, undefined));
      return json({ chunk });
    }),
    authed("GET", `${V3}/rooms/:roomId/joined_members`, ({ params, requester }) => {
      const room = hs.room(params.roomId ?? "");
      const state = stateFor(room, requester.userId);
      const joined: Record<string, Record<string, unknown>> = {};
      for (const userId of room.usersWith("join", state)) {
        const content = room.stateEvent("m.room.member", userId, state)?.content ?? {};
        joined[userId] = {
          ...(typeof content.displayname === "string" ? { display_name: content.displayname } : {}),
          ...(typeof content.avatar_url === "string" ? { avatar_url: content.avatar_url } : {}),
        };
      }
      return json({ joined });
    }),
  ];
}
