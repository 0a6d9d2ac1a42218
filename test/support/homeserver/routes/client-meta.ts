import { MatrixError } from "../errors.js";
import { authed, json, open, type Route } from "../router.js";

const V3 = "/_matrix/client/v3";

/** Spec versions this server answers to: v1.11 brings authenticated media. */
const SPEC_VERSIONS = [
  "r0.6.1",
  "v1.1",
  "v1.2",
  "v1.3",
  "v1.4",
  "v1.5",
  "v1.6",
  "v1.7",
  "v1.8",
  "v1.9",
  "v1.10",
  "v1.11",
  "v1.12",
];

/** Server discovery and capability answers, and features deliberately answered as absent. */
export function clientMetaRoutes(): Route[] {
  return [
    open("GET", "/_matrix/client/versions", () =>
      json({ versions: SPEC_VERSIONS, unstable_features: {} }),
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
