import type { Faults } from "../faults.js";
import { optBoolean, optNumber, reqString } from "../json.js";
import { open, json, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import { forceJoin } from "../test-hooks.js";

/** `/_dsxtest/` routes (the front end checks the admin token before these run). */
export function testHookRoutes(hs: HomeserverState, faults: Faults): Route[] {
  return [
    open("POST", "/_dsxtest/force_join", ({ body }) => {
      const event = forceJoin(hs, reqString(body, "room_id"), reqString(body, "user_id"));
      return json({ event_id: event.eventId });
    }),
    open("POST", "/_dsxtest/faults", ({ body }) => {
      const failNext = optNumber(body, "fail_next");
      const status = optNumber(body, "status");
      const delayMs = optNumber(body, "delay_ms");
      const paused = optBoolean(body, "paused");
      const dropConnections = optBoolean(body, "drop_connections");
      if (Object.keys(body).length === 0) {
        faults.clear();
      } else {
        faults.set({
          ...(failNext === undefined ? {} : { failNext }),
          ...(status === undefined ? {} : { status }),
          ...(delayMs === undefined ? {} : { delayMs }),
          ...(paused === undefined ? {} : { paused }),
          ...(dropConnections === undefined ? {} : { dropConnections }),
        });
      }
      return json({});
    }),
  ];
}
