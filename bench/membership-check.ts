import { ClientEvent, createClient, SyncState, type MatrixClient } from "matrix-js-sdk";
import { Directory } from "../src/config/directory.js";
import type { OrganisationConfig } from "../src/config/schema.js";
import { readRoomFacts } from "../src/matrix/room-facts.js";
import { decideAudience, type Exchange } from "../src/policy/audience.js";
import type { TestHomeserver } from "../test/support/homeserver/index.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface MembershipCheck {
  readonly members: number;
  /** Reading the room's facts (membership from the synced state, the directory's answer). */
  readonly readFactsMs: Percentiles;
  /** decideAudience alone. */
  readonly decideMs: Percentiles;
  /** Both: what the outbox does before each send above WHITE. */
  readonly totalMs: Percentiles;
}

/**
 * The outbox's TLP check for a room of `members` people, as it runs before each AMBER send:
 * the room's facts read from a synced matrix-js-sdk client (and the room directory over HTTP),
 * then decideAudience against a directory that knows everyone, so every member is examined.
 */
export async function measureMembershipCheck(
  homeserver: TestHomeserver,
  members: number,
  rounds: number,
): Promise<MembershipCheck> {
  const reader = homeserver.registerUser("membership-reader");
  const { accessToken, userId } = await reader;
  const memberIds: string[] = [];
  for (let i = 0; i < members - 1; i++) {
    memberIds.push((await homeserver.registerUser(`member-${String(i)}`)).userId);
  }
  const roomId = await createEncryptedRoom(homeserver.url, accessToken);
  for (const member of memberIds) homeserver.forceJoin(roomId, member);

  const client = createClient({ baseUrl: homeserver.url, userId, accessToken });
  try {
    await startAndWaitForMembers(client, roomId, members);
    const directory = new Directory({
      organisations: [
        organisation("dsx", "dsx", [userId]),
        organisation("big", "partner", memberIds),
      ],
      rooms: {
        triage: roomId,
        abuseTeam: roomId,
        advisory: roomId,
        communityAlerts: roomId,
        publicAlerts: roomId,
        donors: roomId,
      },
      abuseTeam: [userId],
      advisoryCommittee: [userId],
    });
    const exchange: Exchange = { participants: new Set([userId]), organisations: new Set(["big"]) };
    const read: number[] = [];
    const decide: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const facts = await readRoomFacts(client, roomId, true);
      const factsRead = performance.now();
      if (!facts) throw new Error("the reader does not know the room");
      const decision = decideAudience("AMBER", facts, exchange, directory, userId);
      const decided = performance.now();
      if (!decision.allowed || facts.members.length !== members)
        throw new Error("the membership check did not see the whole room");
      read.push(factsRead - started);
      decide.push(decided - factsRead);
      total.push(decided - started);
    }
    return {
      members,
      readFactsMs: percentiles(read),
      decideMs: percentiles(decide),
      totalMs: percentiles(total),
    };
  } finally {
    client.stopClient();
  }
}

function organisation(
  id: string,
  role: OrganisationConfig["role"],
  members: string[],
): OrganisationConfig {
  return { id, role, members, affiliates: [], skills: [], languages: [], regions: [], capacity: 3 };
}

async function createEncryptedRoom(baseUrl: string, accessToken: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/createRoom`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      preset: "private_chat",
      initial_state: [
        {
          type: "m.room.encryption",
          state_key: "",
          content: { algorithm: "m.megolm.v1.aes-sha2" },
        },
        {
          type: "m.room.history_visibility",
          state_key: "",
          content: { history_visibility: "joined" },
        },
      ],
    }),
  });
  if (!response.ok) throw new Error(`createRoom: ${String(response.status)}`);
  return ((await response.json()) as { room_id: string }).room_id;
}

/** Starts the client and waits (with a deadline) until it has synced every member. */
function startAndWaitForMembers(client: MatrixClient, roomId: string, members: number) {
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if ((client.getRoom(roomId)?.getJoinedMemberCount() ?? 0) >= members) finish(resolve);
    };
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      client.off(ClientEvent.Sync, onSync);
      settle();
    };
    const onSync = (state: SyncState): void => {
      if (state === SyncState.Error)
        finish(() => {
          reject(new Error("the reader cannot sync"));
        });
      else check();
    };
    const timer = setTimeout(() => {
      finish(() => {
        reject(new Error(`the reader never saw ${String(members)} members`));
      });
    }, 60_000);
    client.on(ClientEvent.Sync, onSync);
    void client.startClient({ initialSyncLimit: 1, lazyLoadMembers: false });
  });
}
