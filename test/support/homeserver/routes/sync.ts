import { invalidParam } from "../errors.js";
import { isObject, type JsonObject } from "../json.js";
import { authed, json, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import { buildSync, parseStreamToken } from "../sync.js";
import { parseSyncFilter } from "../sync-filter.js";

const MAX_TIMEOUT_MS = 60_000;

/** `GET /sync`, long-polling until something arrives or the timeout passes. */
export function syncRoutes(hs: HomeserverState): Route[] {
  const filterFor = (userId: string, param: string | null): JsonObject | undefined => {
    if (param === null) return undefined;
    if (param.startsWith("{")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(param);
      } catch {
        throw invalidParam("filter is not JSON");
      }
      return isObject(parsed) ? parsed : undefined;
    }
    return hs.filter(userId, param);
  };
  return [
    authed("GET", "/_matrix/client/v3/sync", async ({ query, requester, signal }) => {
      const sinceParam = query.get("since");
      const since = sinceParam === null ? undefined : parseStreamToken(sinceParam);
      if (sinceParam !== null && since === undefined) throw invalidParam("Invalid since token");
      const timeout = Math.min(Number(query.get("timeout") ?? "0") || 0, MAX_TIMEOUT_MS);
      const request = {
        userId: requester.userId,
        deviceId: requester.deviceId,
        since,
        fullState: query.get("full_state") === "true",
        filter: parseSyncFilter(filterFor(requester.userId, query.get("filter"))),
      };
      const deadline = Date.now() + timeout;
      for (;;) {
        const { response, empty, upTo } = buildSync(hs, request);
        const remaining = deadline - Date.now();
        if (
          !empty ||
          since === undefined ||
          request.fullState ||
          remaining <= 0 ||
          signal.aborted
        ) {
          return json(response);
        }
        await hs.stream.waitBeyond(requester.userId, upTo, remaining, signal);
      }
    }),
  ];
}
