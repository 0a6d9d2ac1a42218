import { expect } from "chai";
import {
  affectedProblem,
  isOutsideDirectory,
} from "../../../../src/cases/vulnerabilities/intake.js";
import { Directory } from "../../../../src/config/directory.js";
import { parseConfigText } from "../../../../src/config/load.js";

const TEXT = `
homeserver: { url: "https://matrix.example.org", serverName: example.org }
bot: { userId: "@dsx:example.org", accessToken: "t", storePassphrase: "twelve chars!" }
dataKey: ${Buffer.alloc(32, 1).toString("base64")}
rooms: { triage: "!t:x.org", abuseTeam: "!a:x.org", advisory: "!v:x.org", communityAlerts: "!g:x.org", publicAlerts: "!w:x.org", donors: "!d:x.org" }
organisations:
  - { id: dsx, role: dsx, members: ["@ana:example.org"] }
  - { id: rights-collective, role: partner, members: ["@maria:example.org", "@mario:example.org"], affiliates: ["@carla:example.org"] }
  - { id: press-freedom, role: partner, members: ["@paz:example.org"] }
abuseTeam: ["@ana:example.org"]
advisoryCommittee: ["@kim:example.org", "@jo:example.org"]
`;

function directory(): Directory {
  const result = parseConfigText(TEXT, {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return new Directory(result.config);
}

describe("cases/vulnerabilities/intake: who may be the affected party", () => {
  const mario = "@mario:example.org";

  it("not the reporter, however the ID is spelled", () => {
    for (const user of [mario, "@Mario:Example.org", "@ma\u200Brio:example.org"])
      expect(affectedProblem(directory(), mario, { user }), user).to.equal("vuln.affectedSelf");
  });

  it("not the reporter's own organisation, by name or through a colleague", () => {
    const dir = directory();
    expect(affectedProblem(dir, mario, { org: "rights-collective" })).to.equal(
      "vuln.affectedOwnOrganisation",
    );
    expect(affectedProblem(dir, mario, { user: "@Maria:example.org" })).to.equal(
      "vuln.affectedOwnOrganisation",
    );
  });

  it("another organisation, its contact, or a stranger", () => {
    const dir = directory();
    expect(affectedProblem(dir, mario, { org: "press-freedom" })).to.equal(undefined);
    expect(affectedProblem(dir, mario, { user: "@paz:example.org" })).to.equal(undefined);
    expect(affectedProblem(dir, mario, { user: "@olga:elsewhere.org" })).to.equal(undefined);
    // An affiliate works for the organisation, is not of it: they may report it.
    expect(affectedProblem(dir, "@carla:example.org", { org: "rights-collective" })).to.equal(
      undefined,
    );
  });

  it("a contact the directory does not know waits for the DSX team; one it knows does not", () => {
    const dir = directory();
    expect(isOutsideDirectory(dir, { user: "@olga:elsewhere.org" })).to.equal(true);
    expect(isOutsideDirectory(dir, { user: "@Paz:example.org" })).to.equal(false);
    expect(isOutsideDirectory(dir, { user: "@carla:example.org" })).to.equal(false);
    expect(isOutsideDirectory(dir, { org: "press-freedom" })).to.equal(false);
  });
});
