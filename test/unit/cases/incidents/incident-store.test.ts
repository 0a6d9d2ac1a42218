import { expect } from "chai";
import { readParticipants } from "../../../../src/cases/incidents/incident-store.js";

describe("cases/incidents stored participants", () => {
  it("reads records as stored", () => {
    const stored = [
      { userId: "@maria:x", via: "reporter" },
      { userId: "@ana:x", via: "asked" },
    ];
    expect(readParticipants(JSON.stringify(stored), "@maria:x", null)).to.deep.equal(stored);
    expect(readParticipants(null, null, null)).to.deep.equal([]);
  });

  it("reads the plain user IDs of older rows in the order they came, the later ones as invited", () => {
    const older = JSON.stringify(["@maria:x", "@sam:x", "@ana:x", "@mario:x"]);
    expect(readParticipants(older, "@maria:x", "securelab")).to.deep.equal([
      { userId: "@maria:x", via: "reporter" },
      { userId: "@sam:x", via: "provider" },
      { userId: "@ana:x", via: "invited" },
      { userId: "@mario:x", via: "invited" },
    ]);
    // Without a provider (not yet accepted) nobody is read as the provider's person.
    expect(readParticipants(JSON.stringify(["@maria:x"]), "@maria:x", null)).to.deep.equal([
      { userId: "@maria:x", via: "reporter" },
    ]);
  });
});
