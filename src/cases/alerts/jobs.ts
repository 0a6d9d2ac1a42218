import { defineTask, type ScheduledTask } from "../../schedule/scheduler.js";
import type { Warnings } from "./warnings.js";

/** Makes an approved warning's room, then delivers the warning there (`caseId`: the warning). */
export const WARNING_ROOM_JOB = "warning.room";

/**
 * The durable tasks of sharing: the warning room job, whose room is made outside a transaction
 * and recorded in the job's.
 */
export function sharingTasks(warnings: Pick<Warnings, "makeRoom" | "roomMade">): ScheduledTask[] {
  return [
    defineTask({
      kind: WARNING_ROOM_JOB,
      prepare: (job) => warnings.makeRoom(job),
      execute: (job, manager, roomId: string | undefined) =>
        warnings.roomMade(job, manager, roomId),
    }),
  ];
}
