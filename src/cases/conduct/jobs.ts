import type { EntityManager } from "typeorm";
import type { BanTally } from "../../matrix/room-bans.js";
import {
  defineTask,
  payloadList,
  payloadText,
  type ScheduledTask,
} from "../../schedule/scheduler.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import { languageOf } from "../../store/people.js";
import { payloadContext } from "../../store/sealed-columns.js";
import { expelled, needsHandling, warning } from "./messages.js";
import { tellReporter, type ConductServices } from "./services.js";

const ROOM_JOB = "conduct.room";
const NOBODY_JOB = "conduct.nobody-can-handle";
const WARN_JOB = "conduct.warn";
const EXPEL_JOB = "conduct.expel";

/** The sanctions decided: still delivered when the report closes before they fire. */
export const CARRIED_OUT_AFTER_CLOSE = [WARN_JOB, EXPEL_JOB];

/** The reason the bans of `!dsx expel` give (the team's own reason stays in the report room). */
const BAN_REASON = "Removed under the Digital Security Exchange's Code of Conduct";

/**
 * The durable tasks of a report: its room made with its handlers invited, DSX's other people
 * told when nobody can handle it, a warning delivered, an expulsion's bans.
 */
export function conductTasks(services: ConductServices): ScheduledTask[] {
  const { store, rooms, catalog } = services;
  return [
    defineTask({
      kind: ROOM_JOB,
      prepare: async (job) => {
        const report = await store.get(services.dataSource.manager, job.caseId ?? "");
        // Also when a handler's join recorded the room already (see roomEvent): the room is
        // found again and whoever a crash left uninvited is invited.
        if (report?.state !== "open") return undefined;
        return rooms.caseRoom("report", report.caseId, store.handlers(report));
      },
      execute: (job, manager, roomId: string | undefined) =>
        roomMade(services, job, manager, roomId),
    }),
    defineTask({
      kind: NOBODY_JOB,
      prepare: async (job) => {
        const directRooms = new Map<string, string>();
        for (const userId of payloadList(job, "people"))
          directRooms.set(userId, await rooms.directRoomWith(userId));
        return directRooms;
      },
      execute: async (job, manager, directRooms: Map<string, string>) => {
        for (const [userId, roomId] of directRooms)
          await services.say(
            manager,
            roomId,
            needsHandling(catalog, await languageOf(manager, userId), job.caseId ?? ""),
          );
      },
    }),
    defineTask({
      kind: WARN_JOB,
      forgetWhenFired: true,
      prepare: (job) => rooms.directRoomWith(payloadText(job, "user")),
      execute: async (job, manager, roomId: string) => {
        const message = services.cipher.decrypt(
          payloadText(job, "message"),
          payloadContext("message", job.caseId ?? ""),
        );
        await services.say(manager, roomId, warning(catalog, message));
      },
    }),
    defineTask({
      kind: EXPEL_JOB,
      forgetWhenFired: true,
      prepare: (job) => services.bans.banEverywhere(payloadText(job, "user"), BAN_REASON),
      execute: async (job, manager, tally: BanTally) => {
        const report = await store.get(manager, job.caseId ?? "");
        if (report?.roomId == null) return;
        await services.say(
          manager,
          report.roomId,
          expelled(catalog, report.caseId, payloadText(job, "user"), tally),
        );
      },
    }),
  ];
}

/** The report's room, made now with its handlers invited. */
export async function scheduleReportRoom(
  services: ConductServices,
  manager: EntityManager,
  caseId: string,
  at: number,
): Promise<void> {
  await services.jobs().schedule(manager, { kind: ROOM_JOB, dueAt: at, caseId });
}

/** DSX's other people told, now, that a report waits with nobody to handle it. */
export async function scheduleNobodyNotice(
  services: ConductServices,
  manager: EntityManager,
  caseId: string,
  people: readonly string[],
  at: number,
): Promise<void> {
  await services.jobs().schedule(manager, {
    kind: NOBODY_JOB,
    dueAt: at,
    caseId,
    payload: { people: people.join(" ") },
  });
}

/** A warning delivered now, in the person's direct room. */
export async function scheduleWarning(
  services: ConductServices,
  manager: EntityManager,
  caseId: string,
  user: string,
  message: string,
): Promise<void> {
  await services.jobs().schedule(manager, {
    kind: WARN_JOB,
    dueAt: Date.now(),
    caseId,
    // The message waits in the job sealed, as every free text is stored.
    payload: {
      user,
      message: services.cipher.encrypt(message.slice(0, 2000), payloadContext("message", caseId)),
    },
  });
}

/** A person banned now from every room the bot moderates; the report's room is told. */
export async function scheduleExpulsion(
  services: ConductServices,
  manager: EntityManager,
  caseId: string,
  user: string,
): Promise<void> {
  await services.jobs().schedule(manager, {
    kind: EXPEL_JOB,
    dueAt: Date.now(),
    caseId,
    payload: { user },
  });
}

async function roomMade(
  services: ConductServices,
  job: ScheduledJob,
  manager: EntityManager,
  made: string | undefined,
): Promise<void> {
  const { store } = services;
  const report = await store.get(manager, job.caseId ?? "");
  const roomId = made ?? report?.roomId ?? undefined;
  if (report?.state !== "open" || roomId === undefined) return;
  if (report.roomId !== roomId) await store.recordRoom(manager, report, roomId);
  // The reporter learns which body has the report, never whom it names.
  const byCommittee = store.details(report).handledBy === "advisory-committee";
  await tellReporter(services, manager, report, {
    key: byCommittee ? "conduct.withCommittee" : "conduct.withTeam",
  });
}
