import type { ConfigSections } from "./consistency.js";
import { configSchema, type BotConfig } from "./schema.js";

type KeyPath = readonly (string | number)[];

/** The sections of a valid configuration, for the rules that span keys. */
export function sectionsOf(config: BotConfig): ConfigSections {
  return {
    serverName: config.homeserver.serverName,
    botUserId: config.bot.userId,
    organisations: config.organisations,
    advisoryCommittee: config.advisoryCommittee,
    policy: config.policy,
  };
}

/**
 * The parts of a file the schema refused that are valid on their own, once its unknown keys
 * (already reported) are set aside: what the rules that span keys can still check, so that a
 * wrong `homeserver.url` does not hide a person listed in two organisations.
 */
export function acceptedSections(tree: unknown, unknownKeys: readonly KeyPath[]): ConfigSections {
  const record = asRecord(unknownKeys.reduce(withoutKey, tree));
  const { shape } = configSchema;
  const organisations = record.organisations;
  return {
    serverName: shape.homeserver.shape.serverName.safeParse(asRecord(record.homeserver).serverName)
      .data,
    botUserId: shape.bot.shape.userId.safeParse(asRecord(record.bot).userId).data,
    organisations: Array.isArray(organisations)
      ? organisations.map((org: unknown) => shape.organisations.element.safeParse(org).data)
      : undefined,
    advisoryCommittee: shape.advisoryCommittee.safeParse(record.advisoryCommittee).data,
    policy: shape.policy.safeParse(record.policy).data,
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** A copy of `tree` without the key at `path`. */
function withoutKey(tree: unknown, path: KeyPath): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  if (Array.isArray(tree))
    return tree.map((item: unknown, i) => (i === head ? withoutKey(item, rest) : item));
  if (typeof tree !== "object" || tree === null) return tree;
  const entries = Object.entries(tree as Record<string, unknown>);
  return Object.fromEntries(
    rest.length === 0
      ? entries.filter(([key]) => key !== head)
      : entries.map(([key, value]) => [key, key === head ? withoutKey(value, rest) : value]),
  );
}
