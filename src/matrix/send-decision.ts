import type { MatrixClient } from "matrix-js-sdk";
import type { Directory } from "../config/directory.js";
import { decideAudience, type AudienceDecision, type Exchange } from "../policy/audience.js";
import { isMoreRestrictive, type TlpLabel } from "../policy/tlp.js";
import type { OutgoingMessage } from "../store/entities/outgoing-message.js";
import { currentRoomFacts, readRoomFacts } from "./room-facts.js";

/** What the TLP check of a send reads besides the room: the outbox's view of cases and rooms. */
export interface SendRules {
  readonly client: MatrixClient;
  readonly directory: () => Directory;
  readonly exchangeOf: (caseId: string, roomId: string) => Promise<Exchange | undefined>;
  readonly ceiling?: ((roomId: string) => TlpLabel | undefined) | undefined;
  readonly roomAudience?:
    ((roomId: string) => ((userId: string) => boolean) | undefined) | undefined;
}

/**
 * The audience decision, and a way to take it again at once, with no wait: the members are
 * read again after every wait (the case, the directory, an upload), as a sync may change them
 * meanwhile, and the send must follow the last reading with no wait in between.
 */
export async function decideSend(
  rules: SendRules,
  row: OutgoingMessage,
  label: TlpLabel,
  privateTo: string | null,
): Promise<{ decision: AudienceDecision; again: () => AudienceDecision }> {
  const { client } = rules;
  const ceiling = rules.ceiling?.(row.roomId);
  if (ceiling !== undefined && isMoreRestrictive(label, ceiling)) {
    const decision: AudienceDecision = { allowed: false, reason: "above-room-ceiling" };
    return { decision, again: () => decision };
  }
  const published = await readRoomFacts(client, row.roomId, label !== "WHITE");
  const botUserId = client.getSafeUserId();
  const exchange: Exchange | undefined =
    privateTo !== null
      ? { participants: new Set([privateTo, botUserId]), organisations: new Set() }
      : row.caseId !== null
        ? await rules.exchangeOf(row.caseId, row.roomId)
        : undefined;
  const only = label === "WHITE" ? undefined : rules.roomAudience?.(row.roomId);
  const judge = (): AudienceDecision => {
    const room = client.getRoom(row.roomId);
    if (!published || !room) return { allowed: false, reason: "outside-audience", offenders: [] };
    const facts = {
      ...currentRoomFacts(room),
      publishedInDirectory: published.publishedInDirectory,
    };
    if (only !== undefined) {
      const offenders = [...new Set(facts.members.map((m) => m.userId))]
        .filter((userId) => userId !== botUserId && !only(userId))
        .sort();
      if (offenders.length > 0) return { allowed: false, reason: "outside-audience", offenders };
    }
    return decideAudience(label, facts, exchange, rules.directory(), botUserId);
  };
  return { decision: judge(), again: judge };
}
