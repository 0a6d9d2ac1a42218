import type { MatrixClient } from "matrix-js-sdk";
import type { BotConfig } from "../config/schema.js";
import { isPublished } from "../matrix/room-facts.js";
import type { Logger } from "../log/log.js";
import { roomUnfitness } from "../policy/audience.js";

export type RoomKey = keyof BotConfig["rooms"];

/** What keeps a configured room from doing its work, as the operator must hear it. */
export type RoomProblem =
  "unreachable" | "unencrypted" | "public" | "world-readable" | "published" | "outsiders";

const PUBLIC_PROBLEMS = {
  "join-rule": "public",
  history: "world-readable",
  directory: "published",
} as const satisfies Record<string, RoomProblem>;

/** The order problems of one room are told in. */
const PROBLEM_ORDER: readonly RoomProblem[] = [
  "unencrypted",
  "public",
  "world-readable",
  "published",
];

export interface ConfiguredRoomProblem {
  readonly key: RoomKey;
  readonly reference: string;
  readonly problem: RoomProblem;
  /** How many are in the triage room who are not of the DSX team. */
  readonly count?: number;
  /** Why it could not be joined. */
  readonly error?: unknown;
}

/**
 * Every configured room but the public alert room receives labelled messages (triage, abuse and
 * advisory up to RED, the GREEN rooms GREEN): the outbox refuses each of them in a room that is
 * not encrypted or that anyone can read. Said at start, room by room, rather than found out
 * when the first answer is refused.
 */
export async function checkConfiguredRooms(
  client: MatrixClient,
  joined: ReadonlyMap<RoomKey, string>,
  unreachable: readonly {
    readonly key: RoomKey;
    readonly reference: string;
    readonly error: unknown;
  }[],
  references: BotConfig["rooms"],
  isDsxTeam: (userId: string) => boolean,
): Promise<ConfiguredRoomProblem[]> {
  const problems: ConfiguredRoomProblem[] = unreachable.map((room) => ({
    ...room,
    problem: "unreachable",
  }));
  for (const [key, roomId] of joined) {
    if (key === "publicAlerts") continue;
    const facts = await serverRoomFacts(client, roomId);
    // The outbox's own reasons for refusing the room, each under the name the operator reads.
    const found = new Set<RoomProblem>(
      roomUnfitness(facts).map((unfit) =>
        unfit.reason === "room-unencrypted" ? "unencrypted" : PUBLIC_PROBLEMS[unfit.detail],
      ),
    );
    for (const problem of PROBLEM_ORDER)
      if (found.has(problem)) problems.push({ key, reference: references[key], problem });
    if (key !== "triage") continue;
    // The triage room is the DSX team's: the outbox sends nothing labelled while others are in.
    const bot = client.getSafeUserId();
    const outsiders = new Set(facts.members.filter((u) => u !== bot && !isDsxTeam(u)));
    if (outsiders.size > 0)
      problems.push({
        key,
        reference: references[key],
        problem: "outsiders",
        count: outsiders.size,
      });
  }
  return problems;
}

/** Each problem in the log; the triage room's own unreachability as the error it is. */
export function logRoomProblems(problems: readonly ConfiguredRoomProblem[], log: Logger): void {
  for (const { key, problem, error, count } of problems) {
    const fields = {
      key: `rooms.${key}`,
      reason: problem,
      ...(error === undefined ? {} : { error }),
      ...(count === undefined ? {} : { count }),
    };
    if (key === "triage" && problem === "unreachable")
      log.error(
        "the triage room is unreachable: the DSX team will hear nothing from the bot",
        fields,
      );
    else if (problem === "unreachable") log.error("cannot join a configured room", fields);
    else log.error("a configured room cannot receive labelled messages", fields);
  }
}

/**
 * What the homeserver says of a room the bot has just joined: its client may not have the
 * room's state yet (on Synapse a join returns before the sync brings it).
 */
async function serverRoomFacts(client: MatrixClient, roomId: string) {
  const state = await client.roomState(roomId);
  const content = (type: string) =>
    state.find((e) => e.type === type && e.state_key === "")?.content ?? {};
  return {
    encrypted: state.some((e) => e.type === "m.room.encryption" && e.state_key === ""),
    joinRule: String(content("m.room.join_rules")["join_rule"] ?? ""),
    historyVisibility: String(content("m.room.history_visibility")["history_visibility"] ?? ""),
    // A directory that does not answer tells nothing against the room: the start goes on.
    publishedInDirectory: await isPublished(client, roomId).catch(() => false),
    /** Joined and invited: those who can read what is sent there. */
    members: state
      .filter((e) => e.type === "m.room.member")
      .filter((e) => ["join", "invite"].includes(String(e.content["membership"])))
      .map((e) => e.state_key),
  };
}
