import { forbidden, notFound } from "../errors.js";
import { authed, json, type AuthedContext, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";

const V3 = "/_matrix/client/v3";

/** Global and per-room account data, filters and push rules (kept as account data). */
export function accountDataRoutes(hs: HomeserverState): Route[] {
  const self = ({ params, requester }: AuthedContext): string => {
    if (params.userId !== requester.userId) throw forbidden("Cannot access another user's data");
    return requester.userId;
  };
  const read = (userId: string, roomId: string | undefined, type: string) => {
    const content = hs.accountData.get(userId, roomId, type);
    if (content === undefined) throw notFound("Account data not found");
    return json(content);
  };
  const pushRules = ({ requester }: AuthedContext) =>
    json(hs.accountData.get(requester.userId, undefined, "m.push_rules") ?? { global: {} });
  return [
    authed("GET", `${V3}/user/:userId/account_data/:type`, (ctx) =>
      read(self(ctx), undefined, ctx.params.type ?? ""),
    ),
    authed("PUT", `${V3}/user/:userId/account_data/:type`, (ctx) => {
      hs.accountData.set(
        self(ctx),
        undefined,
        ctx.params.type ?? "",
        ctx.body,
        hs.stream.advance(self(ctx)),
      );
      return json({});
    }),
    authed("GET", `${V3}/user/:userId/rooms/:roomId/account_data/:type`, (ctx) =>
      read(self(ctx), ctx.params.roomId, ctx.params.type ?? ""),
    ),
    authed("PUT", `${V3}/user/:userId/rooms/:roomId/account_data/:type`, (ctx) => {
      const userId = self(ctx);
      hs.room(ctx.params.roomId ?? "");
      hs.accountData.set(
        userId,
        ctx.params.roomId,
        ctx.params.type ?? "",
        ctx.body,
        hs.stream.advance(userId),
      );
      return json({});
    }),
    authed("POST", `${V3}/user/:userId/filter`, (ctx) =>
      json({ filter_id: hs.saveFilter(self(ctx), ctx.body) }),
    ),
    authed("GET", `${V3}/user/:userId/filter/:filterId`, (ctx) => {
      const filter = hs.filter(self(ctx), ctx.params.filterId ?? "");
      if (filter === undefined) throw notFound("Filter not found");
      return json(filter);
    }),
    authed("GET", `${V3}/pushrules/`, pushRules),
    authed("GET", `${V3}/pushrules/global/`, (ctx) => {
      const rules = hs.accountData.get(ctx.requester.userId, undefined, "m.push_rules");
      return json(rules?.global ?? {});
    }),
  ];
}
