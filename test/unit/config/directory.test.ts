import { expect } from "chai";
import { Directory } from "../../../src/config/directory.js";
import { parseConfigText } from "../../../src/config/load.js";

const TEXT = `
homeserver: { url: "https://matrix.example.org", serverName: example.org }
bot: { userId: "@dsx:example.org", accessToken: "t", storePassphrase: "twelve chars!" }
dataKey: ${Buffer.alloc(32, 1).toString("base64")}
rooms: { triage: "!t:x.org", abuseTeam: "!a:x.org", advisory: "!v:x.org", communityAlerts: "!g:x.org", publicAlerts: "!w:x.org", donors: "!d:x.org" }
organisations:
  - { id: dsx, role: dsx, members: ["@ana:example.org"] }
  - { id: rights-collective, role: partner, members: ["@maria:example.org"], affiliates: ["@contractor:example.org"] }
  - { id: press-freedom, role: partner, members: ["@paz:example.org"], affiliates: ["@contractor:example.org"] }
  - { id: securelab, role: provider, members: ["@sam:example.org"], skills: [malware] }
abuseTeam: ["@ana:example.org", "@lee:example.org"]
advisoryCommittee: ["@kim:example.org"]
policy: { disclosure: { advisoryQuorum: 1 } }
`;

function directory(): Directory {
  const result = parseConfigText(TEXT, {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return new Directory(result.config);
}

describe("config/directory", () => {
  it("finds each member's one organisation", () => {
    const dir = directory();
    expect(dir.organisationOf("@maria:example.org")?.id).to.equal("rights-collective");
    expect(dir.organisationOf("@sam:example.org")?.role).to.equal("provider");
    expect(dir.organisationOf("@contractor:example.org")).to.equal(undefined);
    expect(dir.organisationOf("@stranger:evil.org")).to.equal(undefined);
  });

  it("lists every organisation an affiliate works for", () => {
    const ids = directory()
      .affiliationsOf("@contractor:example.org")
      .map((o) => o.id);
    expect(ids).to.deep.equal(["rights-collective", "press-freedom"]);
    expect(directory().affiliationsOf("@maria:example.org")).to.deep.equal([]);
  });

  it("knows the teams and the DSX organisation", () => {
    const dir = directory();
    expect(dir.dsx.id).to.equal("dsx");
    expect(dir.isDsxTeam("@ana:example.org")).to.equal(true);
    expect(dir.isDsxTeam("@maria:example.org")).to.equal(false);
    expect(dir.isAbuseTeam("@lee:example.org")).to.equal(true);
    expect(dir.isAdvisoryCommittee("@kim:example.org")).to.equal(true);
    expect(dir.withRole("partner").map((o) => o.id)).to.deep.equal([
      "rights-collective",
      "press-freedom",
    ]);
  });

  it("knows people in any capacity, and no one else", () => {
    const dir = directory();
    for (const known of [
      "@ana:example.org",
      "@contractor:example.org",
      "@lee:example.org",
      "@kim:example.org",
    ]) {
      expect(dir.isKnown(known), known).to.equal(true);
    }
    expect(dir.isKnown("@stranger:evil.org")).to.equal(false);
    expect(dir.isKnown("@dsx:example.org")).to.equal(false);
  });
});
