import { isObject, type JsonObject } from "./json.js";

/** The parts of a sync filter this server applies. */
export interface SyncFilter {
  readonly timelineLimit: number;
  readonly includeLeave: boolean;
}

const DEFAULT_TIMELINE_LIMIT = 10;

export function parseSyncFilter(filter: JsonObject | undefined): SyncFilter {
  const room = isObject(filter?.room) ? filter.room : {};
  const timeline = isObject(room.timeline) ? room.timeline : {};
  const limit = timeline.limit;
  return {
    timelineLimit:
      typeof limit === "number" && Number.isInteger(limit) && limit > 0
        ? limit
        : DEFAULT_TIMELINE_LIMIT,
    includeLeave: room.include_leave === true,
  };
}
