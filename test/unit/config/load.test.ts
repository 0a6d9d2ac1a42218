import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfigFile, parseConfigText } from "../../../src/config/load.js";
import { formatProblem } from "../../../src/config/problems.js";
import { exampleEnv } from "../../support/example-env.js";
import { repositoryRoot } from "../../support/paths.js";

const MINIMAL = `
homeserver: { url: "https://matrix.example.org", serverName: example.org }
bot: { userId: "@dsx:example.org", accessToken: "t", storePassphrase: "twelve chars!" }
dataKey: ${Buffer.alloc(32, 7).toString("base64")}
rooms: { triage: "!t:example.org", abuseTeam: "!a:example.org", advisory: "!v:example.org",
         communityAlerts: "!g:example.org", publicAlerts: "!w:example.org", donors: "!d:example.org" }
organisations:
  - { id: dsx, role: dsx, members: ["@ana:example.org"] }
  - { id: rights-collective, role: partner, members: ["@maria:example.org"] }
abuseTeam: ["@ana:example.org"]
advisoryCommittee: ["@kim:example.org", "@jo:example.org"]
`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const result = parseConfigText(text, env);
  expect(result.ok, "expected the configuration to be refused").to.equal(false);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe("config/load", () => {
  const examplePath = join(repositoryRoot, "bot.example.yaml");

  it("accepts bot.example.yaml with its environment variables set", async () => {
    const result = await loadConfigFile(examplePath, exampleEnv());
    if (!result.ok) expect.fail(result.problems.map(formatProblem).join("\n"));
    expect(result.config.organisations.map((o) => o.id)).to.deep.equal([
      "dsx",
      "rights-collective",
      "securelab",
    ]);
    expect(result.config.policy.disclosure.discloseAfter.ms).to.equal(21 * 86_400_000);
    expect(result.config.dataKey).to.have.length(32);
    expect(result.warnings).to.deep.equal([]);
  });

  it("bot.example.yaml documents every key of the schema", async () => {
    const text = await readFile(examplePath, "utf8");
    const keys = [
      "homeserver",
      "url",
      "serverName",
      "bot",
      "userId",
      "accessToken",
      "password",
      "deviceName",
      "stateDir",
      "storePassphrase",
      "database",
      "type",
      "path",
      "dataKey",
      "rooms",
      "triage",
      "abuseTeam",
      "advisory",
      "communityAlerts",
      "publicAlerts",
      "donors",
      "organisations",
      "id",
      "role",
      "name",
      "members",
      "affiliates",
      "skills",
      "languages",
      "regions",
      "capacity",
      "advisoryCommittee",
      "policy",
      "disclosure",
      "respondWithin",
      "escalateAfter",
      "discloseAfter",
      "remindBefore",
      "advisoryQuorum",
      "backups",
      "every",
      "keep",
      "statistics",
      "minimumCount",
      "undecryptable",
      "askToResendAfter",
      "incidents",
      "types",
      "automaticOffers",
      "offerTimeout",
      "tlpNames",
      "limits",
      "reports",
      "count",
      "within",
      "messages",
      "perPerson",
      "perRoom",
      "logging",
      "level",
      "ops",
      "metrics",
      "host",
      "port",
    ];
    for (const key of keys) expect(text, key).to.match(new RegExp(`\\b${key}\\b`));
  });

  it("without the environment, reports each unset secret as required when starting", async () => {
    const result = await loadConfigFile(examplePath, {});
    expect(result.ok).to.equal(false);
    const problems = result.ok ? [] : result.problems.map(formatProblem);
    expect(problems).to.deep.equal([
      "bot.accessToken: environment variable DSX_ACCESS_TOKEN is not set",
      "bot.storePassphrase: environment variable DSX_STORE_PASSPHRASE is not set",
      "dataKey: environment variable DSX_DATA_KEY is not set",
    ]);
  });

  it("when only checking, unset secrets are warnings and the rest is still checked", async () => {
    const result = await loadConfigFile(examplePath, {}, { requireEnv: false });
    if (!result.ok) expect.fail(result.problems.map(formatProblem).join("\n"));
    expect(result.warnings.map((w) => w.path.join("."))).to.deep.equal([
      "bot.accessToken",
      "bot.storePassphrase",
      "dataKey",
    ]);
    const broken = parseConfigText(
      MINIMAL.replace('"!t:example.org"', "triage-room"),
      {},
      { requireEnv: false },
    );
    expect(broken.ok).to.equal(false);
  });

  it("fills in defaults for a minimal file", () => {
    const result = parseConfigText(MINIMAL, {});
    if (!result.ok) expect.fail(result.problems.map(formatProblem).join("\n"));
    const { config } = result;
    expect(config.bot.deviceName).to.equal("dsx-bot");
    expect(config.bot.stateDir).to.equal("./state");
    expect(config.database).to.deep.equal({ type: "sqlite" });
    expect(config.policy.disclosure.respondWithin.ms).to.equal(7 * 86_400_000);
    expect(config.policy.disclosure.advisoryQuorum).to.equal(2);
    expect(config.policy.backups.keep.iso).to.equal("P7D");
    expect(config.policy.statistics.minimumCount).to.equal(3);
    expect(config.policy.tlpNames).to.equal("1.0");
    expect(config.organisations[1]).to.include({ capacity: 3 });
    expect(config.organisations[1]?.affiliates).to.deep.equal([]);
  });

  it("reports three mistakes at once, each with its key path", () => {
    const text = MINIMAL.replace('"@dsx:example.org"', '"dsx"')
      .replace("serverName: example.org", "serverName: example.org, colour: blue")
      .replace(
        "advisoryCommittee:",
        "policy: { disclosure: { respondWithin: seven days } }\nadvisoryCommittee:",
      );
    expect(problemsOf(text)).to.have.members([
      "bot.userId: expected a Matrix user ID such as @ana:example.org",
      "homeserver.colour: unknown key",
      "policy.disclosure.respondWithin: expected an ISO-8601 duration such as P7D, PT12H or PT5S",
    ]);
  });

  it("substitutes ${VARIABLES} and keeps $${LITERALS}", () => {
    const text = MINIMAL.replace('accessToken: "t"', 'accessToken: "${TOKEN}"').replace(
      'storePassphrase: "twelve chars!"',
      // A function, because a replacement string would read `$$` as one `$`.
      () => 'storePassphrase: "$${NOT_A_VARIABLE}"',
    );
    const result = parseConfigText(text, { TOKEN: "syt_secret" });
    if (!result.ok) expect.fail(result.problems.map(formatProblem).join("\n"));
    expect(result.config.bot.accessToken).to.equal("syt_secret");
    expect(result.config.bot.storePassphrase).to.equal("${NOT_A_VARIABLE}");
  });

  it("names the missing sections and wrong types", () => {
    expect(problemsOf("homeserver: 3\n")).to.include.members([
      "homeserver: expected object, received number",
      "bot: missing: expected object",
      "rooms: missing: expected object",
      "dataKey: missing: expected string",
    ]);
    expect(problemsOf("- a list\n")).to.deep.equal([
      "(top level): expected a YAML mapping of keys",
    ]);
    expect(problemsOf("a: [1\n")[0]).to.match(/^\(top level\): YAML syntax/);
    expect(problemsOf("a: 1\na: 2\n")[0]).to.match(/YAML syntax/);
  });

  it("refuses a weak data key, a bad database and a missing login", () => {
    const text = MINIMAL.replace(/dataKey: .*/, "dataKey: c2hvcnQ=")
      .replace('accessToken: "t", ', "")
      .replace("abuseTeam: [", "database: { type: mysql }\nabuseTeam: [");
    expect(problemsOf(text)).to.have.members([
      "dataKey: expected 32 random bytes in base64 (e.g. `openssl rand -base64 32`)",
      "bot: expected accessToken or password",
      "database.type: expected sqlite or postgres",
    ]);
  });

  it("checks the rules that span keys", () => {
    const twoOrgs = MINIMAL.replace(
      '{ id: rights-collective, role: partner, members: ["@maria:example.org"] }',
      '{ id: dsx, role: partner, members: ["@ana:example.org"], affiliates: ["@maria:example.org"] }',
    ).replace(
      "advisoryCommittee:",
      "policy: { disclosure: { advisoryQuorum: 3, remindBefore: P8D } }\nadvisoryCommittee:",
    );
    expect(problemsOf(twoOrgs)).to.have.members([
      'organisations[1].id: duplicates organisations[0].id "dsx"',
      'organisations[1].members[0]: @ana:example.org is already a member of "dsx": a person belongs to one organisation',
      "policy.disclosure.advisoryQuorum: a quorum of 3 can never be reached by 2 advisory committee member(s)",
      "policy.disclosure.remindBefore: expected shorter than respondWithin",
    ]);
    const noDsx = MINIMAL.replace("role: dsx", "role: partner");
    expect(problemsOf(noDsx)).to.deep.equal([
      'organisations: expected exactly one organisation with role "dsx", found 0',
    ]);
  });

  it("lists the rules that span keys with the schema's problems, not after them", () => {
    const text = MINIMAL.replace('"https://matrix.example.org"', '"matrix.example.org"')
      .replace('members: ["@maria:example.org"]', 'members: ["@ana:example.org"]')
      .replace(
        "advisoryCommittee:",
        "policy: { disclosure: { advisoryQuorum: 3 } }\nadvisoryCommittee:",
      );
    expect(problemsOf(text)).to.have.members([
      "homeserver.url: expected an http or https URL",
      'organisations[1].members[0]: @ana:example.org is already a member of "dsx": a person belongs to one organisation',
      "policy.disclosure.advisoryQuorum: a quorum of 3 can never be reached by 2 advisory committee member(s)",
    ]);
    // One broken organisation does not hide a duplicate between two others, nor count as no dsx;
    // nor does an unknown key in the organisation with the duplicate.
    const threeOrgs = MINIMAL.replace(
      '  - { id: rights-collective, role: partner, members: ["@maria:example.org"] }',
      [
        '  - { id: broken, role: vendor, members: ["@bo:example.org"] }',
        '  - { id: rights-collective, role: partner, members: ["@ana:example.org"], colour: red }',
      ].join("\n"),
    );
    expect(problemsOf(threeOrgs)).to.have.members([
      'organisations[1].role: expected one of "dsx"|"partner"|"provider"',
      "organisations[2].colour: unknown key",
      'organisations[2].members[0]: @ana:example.org is already a member of "dsx": a person belongs to one organisation',
    ]);
  });

  it("refuses a bot.userId on another server than homeserver.serverName", () => {
    const text = MINIMAL.replace('"@dsx:example.org"', '"@dsx:example.net"');
    expect(problemsOf(text)).to.deep.equal([
      "bot.userId: @dsx:example.net is not on homeserver.serverName example.org: the bot's account must be on the homeserver it logs in to",
    ]);
  });

  it("suggests the key meant for an unknown key", () => {
    const text = MINIMAL.replace('accessToken: "t"', 'accessToken: "t", statedir: ./state')
      .replace("{ id: dsx, role: dsx, members:", "{ id: dsx, role: dsx, member:")
      .replace(
        "advisoryCommittee:",
        "polcy: { disclosure: { respondWIthin: P7D } }\nadvisoryCommittee:",
      )
      .replace("abuseTeam: [", "database: { type: sqlite, pth: ./db.sqlite }\nabuseTeam: [")
      .replace("serverName: example.org", "serverName: example.org, colour: blue");
    expect(problemsOf(text)).to.include.members([
      "bot.statedir: unknown key (did you mean stateDir?)",
      "organisations[0].member: unknown key (did you mean members?)",
      "polcy: unknown key (did you mean policy?)",
      "database.pth: unknown key (did you mean path?)",
      "homeserver.colour: unknown key",
    ]);
  });

  it("a missing file is one clear problem", async () => {
    const result = await loadConfigFile("/nonexistent/bot.yaml", {});
    expect(result.ok).to.equal(false);
    expect(result.ok ? [] : result.problems.map(formatProblem)).to.deep.equal([
      "(top level): cannot read /nonexistent/bot.yaml: no such file",
    ]);
  });

  it("takes relative paths from the file's folder", async () => {
    const result = await loadConfigFile(examplePath, exampleEnv());
    if (!result.ok) expect.fail("example refused");
    expect(result.config.bot.stateDir).to.equal(join(repositoryRoot, "state"));
    expect(result.config.database).to.deep.equal({
      type: "sqlite",
      path: join(repositoryRoot, "state", "dsx.sqlite"),
    });
  });
});
