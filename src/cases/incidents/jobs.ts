import {
  defineTask,
  payloadList,
  payloadText,
  type ScheduledTask,
} from "../../schedule/scheduler.js";
import type { Incident } from "../../store/entities/incident.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { Offers } from "./offers.js";
import type { IncidentServices } from "./services.js";
import type { TicketRooms } from "./ticket-rooms.js";

/** Delivers an offer to the provider's people (payload: `provider`, the organisation). */
export const OFFER_JOB = "incident.offer";
/** An offer left unanswered for `incidents.offerTimeout` (payload: `provider`). */
export const OFFER_LAPSE_JOB = "incident.offer-lapse";
/** Makes the ticket room once a provider accepted (payload: `provider`, the person who did). */
export const TICKET_ROOM_JOB = "incident.ticket-room";
/** Invites people into the ticket room (payload: `invite`, user IDs separated by spaces). */
export const INVITE_JOB = "incident.invite";

/**
 * The workflow's durable tasks. Each one's network work (finding direct rooms, making the
 * ticket room, inviting) is done before its transaction and is safe to repeat; what it records
 * is the executors'.
 */
export function incidentTasks(
  s: IncidentServices,
  offers: Pick<Offers, "deliver" | "lapse">,
  ticketRooms: Pick<TicketRooms, "opened">,
): ScheduledTask[] {
  /** The incident a job is about, while it is open (read outside any transaction). */
  const openIncident = async (job: ScheduledJob): Promise<Incident | undefined> => {
    const incident = await s.store.get(s.reader(), job.caseId ?? "");
    return incident && incident.state !== "closed" ? incident : undefined;
  };
  const deliverOffer = defineTask({
    kind: OFFER_JOB,
    // Each member's direct room, found or made before the transaction.
    prepare: async (job) => {
      const rooms = new Map<string, string>();
      const provider = s.directory().organisation(payloadText(job, "provider"));
      for (const member of provider?.members ?? [])
        rooms.set(member, await s.rooms.directRoomWith(member));
      return rooms;
    },
    execute: (job, manager, rooms: Map<string, string>) =>
      offers.deliver(manager, job.caseId ?? "", payloadText(job, "provider"), rooms),
  });
  const lapseOffer: ScheduledTask = {
    kind: OFFER_LAPSE_JOB,
    execute: (job, manager) =>
      offers.lapse(manager, job.caseId ?? "", payloadText(job, "provider")),
  };
  const openTicketRoom = defineTask({
    kind: TICKET_ROOM_JOB,
    prepare: async (job) => {
      const incident = await openIncident(job);
      if (!incident || incident.ticketRoomId !== null || incident.reporterId === null)
        return undefined;
      return s.rooms.caseRoom("ticket", incident.caseId, [
        incident.reporterId,
        payloadText(job, "provider"),
      ]);
    },
    execute: (job, manager, roomId: string | undefined) =>
      ticketRooms.opened(manager, job.caseId ?? "", payloadText(job, "provider"), roomId),
  });
  const invite: ScheduledTask = {
    kind: INVITE_JOB,
    prepare: async (job) => {
      const incident = await openIncident(job);
      if (incident?.ticketRoomId == null) return false;
      for (const userId of payloadList(job, "invite"))
        await s.rooms.invite(incident.ticketRoomId, userId);
      return true;
    },
    execute: () => Promise.resolve(),
  };
  return [deliverOffer, lapseOffer, openTicketRoom, invite];
}
