import type { Faults } from "../faults.js";
import type { Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";
import type { SpecProfile } from "../spec-versions.js";
import type { UserInteractiveAuth } from "../uia.js";
import { accountDataRoutes } from "./account-data.js";
import { accountRoutes } from "./account.js";
import { clientMetaRoutes } from "./client-meta.js";
import { deviceRoutes } from "./devices.js";
import { directoryRoutes } from "./directory.js";
import { keyRoutes } from "./keys.js";
import { mediaRoutes } from "./media.js";
import { membershipRoutes } from "./membership.js";
import { messagesRoutes } from "./messages.js";
import { profileRoutes } from "./profile.js";
import { receiptTypingRoutes } from "./receipts-typing.js";
import { roomEventRoutes } from "./room-events.js";
import { syncRoutes } from "./sync.js";
import { testHookRoutes } from "./test-hooks.js";

/** Every client-server API route this homeserver answers. */
export function clientServerRoutes(
  hs: HomeserverState,
  uia: UserInteractiveAuth,
  spec: SpecProfile,
): Route[] {
  return [
    ...clientMetaRoutes(spec),
    ...accountRoutes(hs, uia),
    ...profileRoutes(hs),
    ...accountDataRoutes(hs),
    ...syncRoutes(hs),
    ...membershipRoutes(hs),
    ...roomEventRoutes(hs),
    ...messagesRoutes(hs),
    ...receiptTypingRoutes(hs),
    ...directoryRoutes(hs),
    ...keyRoutes(hs, uia),
    ...deviceRoutes(hs, uia),
    ...mediaRoutes(hs, spec),
  ];
}

export { testHookRoutes };
export type { Faults };
