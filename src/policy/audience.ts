import type { TlpLabel } from "./tlp.js";

/** A person in a room as the audience check sees them: joined and invited people can read. */
export interface RoomMember {
  readonly userId: string;
  readonly membership: "join" | "invite";
}

/** What the audience check needs to know about a room, read fresh before each send. */
export interface RoomFacts {
  readonly members: readonly RoomMember[];
  /** `m.room.join_rules` join_rule (spec default when absent: "invite"). */
  readonly joinRule: string;
  /** `m.room.history_visibility` (spec default when absent: "shared"). */
  readonly historyVisibility: string;
  /** Whether the room is published in the server's room directory. */
  readonly publishedInDirectory: boolean;
  /** Whether the room has end-to-end encryption on (`m.room.encryption`). */
  readonly encrypted: boolean;
}

/**
 * The case a message belongs to, as an exchange: the people party to it (the bot included) and
 * the organisations party to it (the partner's, the provider's once assigned, and DSX's).
 */
export interface Exchange {
  readonly participants: ReadonlySet<string>;
  readonly organisations: ReadonlySet<string>;
}

/** The directory as the audience check needs it. */
export interface AudienceDirectory {
  organisationOf(userId: string): { readonly id: string } | undefined;
  affiliationsOf(userId: string): readonly { readonly id: string }[];
  isKnown(userId: string): boolean;
}

export type AudienceRefusal =
  | { reason: "room-public"; detail: "join-rule" | "history" | "directory" }
  | { reason: "room-unencrypted" }
  | { reason: "above-room-ceiling" }
  | { reason: "no-exchange" }
  | { reason: "outside-audience"; offenders: readonly string[] };

export type AudienceDecision = { allowed: true } | ({ allowed: false } & AudienceRefusal);

/** A decision that withholds the message. */
export type RefusedDecision = Exclude<AudienceDecision, { allowed: true }>;

/**
 * May a message with this label be sent to this room? (The table in DESIGN.md, "TLP: audiences
 * and enforcement".) Every member, joined or invited, must be inside the label's audience. The
 * bot's own account is always inside. Beyond the table, RED and AMBER also require what GREEN
 * requires of the room itself (not public, history not world-readable, not in the directory):
 * otherwise a room allowed at a stricter label could be refused at a laxer one, and anyone could
 * join a public room a moment after the check. And anything above WHITE goes only to encrypted
 * rooms: the Code of Practice sends sensitive information "only in encrypted formats".
 */
export function decideAudience(
  label: TlpLabel,
  room: RoomFacts,
  exchange: Exchange | undefined,
  directory: AudienceDirectory,
  botUserId: string,
): AudienceDecision {
  if (label === "WHITE") return { allowed: true };
  const [unfit] = roomUnfitness(room);
  if (unfit !== undefined) return { allowed: false, ...unfit };
  if (label !== "GREEN" && exchange === undefined) return { allowed: false, reason: "no-exchange" };

  const inside = (userId: string) => isInAudience(label, userId, exchange, directory, botUserId);
  const offenders = [...new Set(room.members.map((m) => m.userId))]
    .filter((id) => !inside(id))
    .sort();
  return offenders.length === 0
    ? { allowed: true }
    : { allowed: false, reason: "outside-audience", offenders };
}

/**
 * What keeps a room from receiving anything above WHITE, whoever is in it: public by join rule,
 * history or directory, or not encrypted (in the order `decideAudience` refuses them).
 */
export function roomUnfitness(
  room: Omit<RoomFacts, "members">,
): Extract<AudienceRefusal, { reason: "room-public" | "room-unencrypted" }>[] {
  const found: Extract<AudienceRefusal, { reason: "room-public" | "room-unencrypted" }>[] = [];
  if (room.joinRule === "public") found.push({ reason: "room-public", detail: "join-rule" });
  if (room.historyVisibility === "world_readable")
    found.push({ reason: "room-public", detail: "history" });
  if (room.publishedInDirectory) found.push({ reason: "room-public", detail: "directory" });
  if (!room.encrypted) found.push({ reason: "room-unencrypted" });
  return found;
}

/**
 * Is this person inside the label's audience for this exchange? (The people part of the TLP
 * table; the room's own properties are `decideAudience`'s.) The bot is always inside.
 */
export function isInAudience(
  label: TlpLabel,
  userId: string,
  exchange: Exchange | undefined,
  directory: AudienceDirectory,
  botUserId: string,
): boolean {
  if (userId === botUserId) return true;
  switch (label) {
    case "WHITE":
      return true;
    case "GREEN":
      return directory.isKnown(userId) || exchange?.participants.has(userId) === true;
    case "RED":
      return exchange?.participants.has(userId) === true;
    case "AMBER+STRICT":
      return exchange !== undefined && inOrganisation(userId, exchange, directory, false);
    case "AMBER":
      return exchange !== undefined && inOrganisation(userId, exchange, directory, true);
  }
}

function inOrganisation(
  userId: string,
  exchange: Exchange,
  directory: AudienceDirectory,
  affiliatesToo: boolean,
): boolean {
  if (exchange.participants.has(userId)) return true;
  const organisation = directory.organisationOf(userId);
  if (organisation && exchange.organisations.has(organisation.id)) return true;
  return (
    affiliatesToo &&
    directory.affiliationsOf(userId).some((org) => exchange.organisations.has(org.id))
  );
}
