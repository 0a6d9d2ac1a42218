import type { BotConfig } from "./schema.js";
import type { ConfigProblem } from "./problems.js";

/**
 * Rules that span several keys, checked after the schema: the directory must name each person
 * once, so that "which organisation is this member of" (the TLP question) has one answer.
 */
export function checkConsistency(config: BotConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const orgIds = new Map<string, number>();
  const memberOf = new Map<string, string>();

  config.organisations.forEach((org, i) => {
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

  config.organisations.forEach((org, i) => {
    org.affiliates.forEach((affiliate, j) => {
      if (memberOf.get(affiliate) === org.id) {
        problems.push({
          path: ["organisations", i, "affiliates", j],
          message: `${affiliate} is a member of "${org.id}" already`,
        });
      }
    });
  });

  const dsx = config.organisations.filter((org) => org.role === "dsx");
  if (dsx.length !== 1) {
    problems.push({
      path: ["organisations"],
      message: `expected exactly one organisation with role "dsx", found ${dsx.length}`,
    });
  }

  if (config.organisations.some((org) => org.members.includes(config.bot.userId))) {
    problems.push({
      path: ["bot", "userId"],
      message: "the bot must not be a member of an organisation",
    });
  }

  const { disclosure } = config.policy;
  if (disclosure.advisoryQuorum > config.advisoryCommittee.length) {
    problems.push({
      path: ["policy", "disclosure", "advisoryQuorum"],
      message: `a quorum of ${disclosure.advisoryQuorum} can never be reached by ${config.advisoryCommittee.length} advisory committee member(s)`,
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
    ["backups.every", config.policy.backups.every],
    ["backups.keep", config.policy.backups.keep],
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
