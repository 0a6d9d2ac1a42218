import { MatrixError } from "../errors.js";
import { authed, json, open, type Route } from "../router.js";
import type { SpecProfile } from "../spec-versions.js";

const V3 = "/_matrix/client/v3";

/** Server discovery and capability answers, and features deliberately answered as absent. */
export function clientMetaRoutes(spec: SpecProfile): Route[] {
  return [
    // Every spec version up to the newest the server was started with (v1.12 by default).
    open("GET", "/_matrix/client/versions", () =>
      json({ versions: spec.versions, unstable_features: {} }),
    ),
    authed("GET", `${V3}/capabilities`, () =>
      json({
        capabilities: {
          "m.change_password": { enabled: false },
          "m.room_versions": { default: "10", available: { "10": "stable" } },
          "m.set_displayname": { enabled: true },
          "m.set_avatar_url": { enabled: true },
          "m.3pid_changes": { enabled: false },
        },
      }),
    ),
    // No key backup is kept; clients treat "no current version" as "backup not set up".
    authed("GET", `${V3}/room_keys/version`, () => {
      throw new MatrixError(404, "M_NOT_FOUND", "No current backup version");
    }),
    // No TURN server is configured.
    authed("GET", `${V3}/voip/turnServer`, () => {
      throw new MatrixError(404, "M_NOT_FOUND", "No TURN server configured");
    }),
    authed("GET", `${V3}/presence/:userId/status`, () => json({ presence: "online" })),
    authed("PUT", `${V3}/presence/:userId/status`, () => json({})),
  ];
}
