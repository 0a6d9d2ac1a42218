import type { BotConfig, OrganisationConfig } from "./schema.js";
import type { ConfigProblem } from "./problems.js";

/**
 * The sections the rules that span keys read. When the schema refuses a file, each is given only
 * if it is valid on its own (`acceptedSections`), so that one mistake does not hide the rest; an
 * organisation the schema refused is undefined, so the others keep their index.
 */
export interface ConfigSections {
  readonly serverName: string | undefined;
  readonly botUserId: string | undefined;
  readonly organisations: readonly (OrganisationConfig | undefined)[] | undefined;
  readonly advisoryCommittee: readonly string[] | undefined;
  readonly policy: BotConfig["policy"] | undefined;
}

/**
 * Rules that span several keys, checked after the schema: the directory must name each person
 * once, so that "which organisation is this member of" (the TLP question) has one answer. A rule
 * whose sections are not all valid is left until they are.
 */
export function checkConsistency(config: ConfigSections): ConfigProblem[] {
  return [
    ...checkDirectory(config.organisations ?? []),
    ...checkBot(config),
    ...(config.policy ? checkPolicy(config.policy, config.advisoryCommittee) : []),
  ];
}

function checkDirectory(
  organisations: readonly (OrganisationConfig | undefined)[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const orgIds = new Map<string, number>();
  const memberOf = new Map<string, string>();

  organisations.forEach((org, i) => {
    if (org === undefined) return;
    const earlier = orgIds.get(org.id);
    if (earlier !== undefined) {
      problems.push({
        path: ["organisations", i, "id"],
        message: `duplicates organisations[${earlier}].id "${org.id}"`,
      });
    }
    orgIds.set(org.id, i);
    org.members.forEach((member, j) => {
      const other = memberOf.get(member);
      if (other !== undefined) {
        problems.push({
          path: ["organisations", i, "members", j],
          message: `${member} is already a member of "${other}": a person belongs to one organisation`,
        });
      } else {
        memberOf.set(member, org.id);
      }
    });
  });

  organisations.forEach((org, i) => {
    org?.affiliates.forEach((affiliate, j) => {
      if (memberOf.get(affiliate) === org.id) {
        problems.push({
          path: ["organisations", i, "affiliates", j],
          message: `${affiliate} is a member of "${org.id}" already`,
        });
      }
    });
  });

  // A refused organisation may be the dsx one: counted only when every one is valid.
  if (organisations.length > 0 && organisations.every((org) => org !== undefined)) {
    const dsx = organisations.filter((org) => org.role === "dsx");
    if (dsx.length !== 1) {
      problems.push({
        path: ["organisations"],
        message: `expected exactly one organisation with role "dsx", found ${dsx.length}`,
      });
    }
  }
  return problems;
}

function checkBot({ botUserId, serverName, organisations }: ConfigSections): ConfigProblem[] {
  if (botUserId === undefined) return [];
  const problems: ConfigProblem[] = [];
  if (organisations?.some((org) => org?.members.includes(botUserId))) {
    problems.push({
      path: ["bot", "userId"],
      message: "the bot must not be a member of an organisation",
    });
  }
  // A homeserver hosts only its own users: a bot on another server could never log in here.
  const server = botUserId.slice(botUserId.indexOf(":") + 1);
  if (serverName !== undefined && server.toLowerCase() !== serverName.toLowerCase()) {
    problems.push({
      path: ["bot", "userId"],
      message: `${botUserId} is not on homeserver.serverName ${serverName}: the bot's account must be on the homeserver it logs in to`,
    });
  }
  return problems;
}

function checkPolicy(
  policy: BotConfig["policy"],
  advisoryCommittee: readonly string[] | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { disclosure } = policy;
  if (advisoryCommittee && disclosure.advisoryQuorum > advisoryCommittee.length) {
    problems.push({
      path: ["policy", "disclosure", "advisoryQuorum"],
      message: `a quorum of ${disclosure.advisoryQuorum} can never be reached by ${advisoryCommittee.length} advisory committee member(s)`,
    });
  }
  if (disclosure.escalateAfter.ms < disclosure.respondWithin.ms) {
    problems.push({
      path: ["policy", "disclosure", "escalateAfter"],
      message: "expected no earlier than respondWithin",
    });
  }
  if (disclosure.discloseAfter.ms < disclosure.escalateAfter.ms) {
    problems.push({
      path: ["policy", "disclosure", "discloseAfter"],
      message: "expected no earlier than escalateAfter",
    });
  }
  if (disclosure.remindBefore.ms >= disclosure.respondWithin.ms) {
    problems.push({
      path: ["policy", "disclosure", "remindBefore"],
      message: "expected shorter than respondWithin",
    });
  }
  for (const [key, value] of [
    ["respondWithin", disclosure.respondWithin],
    ["backups.every", policy.backups.every],
    ["backups.keep", policy.backups.keep],
  ] as const) {
    if (value.ms <= 0) {
      const path = key.startsWith("backups")
        ? ["policy", ...key.split(".")]
        : ["policy", "disclosure", key];
      problems.push({ path, message: "expected a duration longer than zero" });
    }
  }
  return problems;
}
