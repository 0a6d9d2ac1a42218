import type { MatrixClient } from "matrix-js-sdk";
import type { BotConfig } from "../config/schema.js";
import type { Logger } from "../ops/log.js";
import { Visibility } from "matrix-js-sdk";

export type RoomKey = keyof BotConfig["rooms"];

/** What keeps a configured room from doing its work, as the operator must hear it. */
export type RoomProblem =
  "unreachable" | "unencrypted" | "public" | "world-readable" | "published" | "outsiders";

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
    const found: RoomProblem[] = [];
    if (!facts.encrypted) found.push("unencrypted");
    if (facts.joinRule === "public") found.push("public");
    if (facts.historyVisibility === "world_readable") found.push("world-readable");
    if (facts.publishedInDirectory) found.push("published");
    for (const problem of found) problems.push({ key, reference: references[key], problem });
    // The triage room is the DSX team's: the outbox sends nothing labelled while others are in.
    const outsiders = new Set(
      facts.members
        .map((m) => m.userId)
        .filter((userId) => userId !== client.getSafeUserId() && !isDsxTeam(userId)),
    );
    if (key === "triage" && outsiders.size > 0)
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
  const members = state
    .filter((e) => e.type === "m.room.member")
    .filter((e) => ["join", "invite"].includes(String(e.content["membership"])))
    .map((e) => ({ userId: e.state_key }));
  const { visibility } = await client.getRoomDirectoryVisibility(roomId).catch(() => ({
    visibility: Visibility.Private,
  }));
  return {
    encrypted: state.some((e) => e.type === "m.room.encryption" && e.state_key === ""),
    joinRule: String(content("m.room.join_rules")["join_rule"] ?? ""),
    historyVisibility: String(content("m.room.history_visibility")["history_visibility"] ?? ""),
    publishedInDirectory: visibility === Visibility.Public,
    members,
  };
}
