export {
  loadClientServerSpec,
  ClientServerSpec,
  type DocumentedResponse,
  type ResponseCheck,
  type SpecOperation,
} from "./client-server-spec.js";
export type { EventCheck, EventContext } from "./event-schemas.js";
export { matrixSpecDir, matrixSpecUnavailableReason } from "./spec-location.js";
export { SpecCheckedHttp, type CheckedRequest, type CheckedResponse } from "./spec-checked-http.js";
export { eventsInSync, joinedTimeline, type SyncedEvent } from "./sync-events.js";
