import { EventTimeline, Visibility, type MatrixClient, type Room } from "matrix-js-sdk";
import type { RoomFacts, RoomMember } from "../policy/audience.js";

/**
 * What the audience check needs to know about a room, read from the client's current room state
 * (kept live by sync) and, for anything above WHITE, the room directory. Undefined when the bot
 * does not know the room.
 */
export async function readRoomFacts(
  client: MatrixClient,
  roomId: string,
  withDirectory: boolean,
): Promise<RoomFacts | undefined> {
  const room = client.getRoom(roomId);
  if (!room) return undefined;
  const publishedInDirectory = withDirectory ? await isPublished(client, roomId) : false;
  // Read after the wait: a sync may have changed the room meanwhile.
  return { ...currentRoomFacts(room), publishedInDirectory };
}

/** The room's facts that the client holds now (all but the directory, which needs a request). */
export function currentRoomFacts(room: Room): Omit<RoomFacts, "publishedInDirectory"> {
  return {
    members: presentMembers(room),
    joinRule: room.getJoinRule(),
    historyVisibility: room.getHistoryVisibility(),
    encrypted: room.hasEncryptionStateEvent(),
  };
}

/** Whether the room is published in the homeserver's room directory. */
export async function isPublished(client: MatrixClient, roomId: string): Promise<boolean> {
  try {
    const { visibility } = await client.getRoomDirectoryVisibility(roomId);
    return visibility === Visibility.Public;
  } catch (error) {
    // A room the directory has never heard of is not published in it.
    if ((error as { errcode?: string }).errcode === "M_NOT_FOUND") return false;
    throw error;
  }
}

/** The people who can read the room now: those joined and those invited. */
export function presentMembers(room: Room): RoomMember[] {
  const state = room.getLiveTimeline().getState(EventTimeline.FORWARDS);
  const members: RoomMember[] = [];
  for (const member of state?.getMembers() ?? []) {
    if (member.membership === "join") members.push({ userId: member.userId, membership: "join" });
    else if (member.membership === "invite")
      members.push({ userId: member.userId, membership: "invite" });
  }
  return members;
}
