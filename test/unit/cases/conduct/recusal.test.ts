import { expect } from "chai";
import fc from "fast-check";
import { handlersOf, recused } from "../../../../src/cases/conduct/recusal.js";

const ORGS: Record<string, readonly string[]> = {
  dsx: ["@ana:x", "@dan:x"],
  partner: ["@maria:x", "@mario:x"],
};
const directory = {
  abuseTeam: ["@ana:x", "@lee:x", "@dan:x"],
  organisationOf: (userId: string) => {
    const id = Object.keys(ORGS).find((org) => ORGS[org]?.includes(userId));
    return id === undefined ? undefined : { id, members: ORGS[id] ?? [] };
  },
};

describe("cases/conduct recusal", () => {
  it("leaves out the person named, everyone of their organisation, and the reporter", () => {
    expect(handlersOf(directory, "@maria:x", "@ana:x")).to.deep.equal(["@lee:x"]);
    expect(handlersOf(directory, "@lee:x", undefined)).to.deep.equal(["@ana:x", "@dan:x"]);
    expect(handlersOf(directory, "@lee:x", "@dan:x")).to.deep.equal([]);
    expect([...recused(directory, "@olga:y", "@mario:x")].sort()).to.deep.equal([
      "@maria:x",
      "@mario:x",
      "@olga:y",
    ]);
  });

  it("property: no handler is the reporter, the person named, or of their organisation", () => {
    const people = ["@ana:x", "@dan:x", "@lee:x", "@maria:x", "@mario:x", "@olga:y"];
    fc.assert(
      fc.property(
        fc.constantFrom(...people),
        fc.option(fc.constantFrom(...people), { nil: undefined }),
        (reporter, named) => {
          const handlers = handlersOf(directory, reporter, named);
          const namedOrg = named === undefined ? undefined : directory.organisationOf(named);
          for (const handler of handlers) {
            expect(handler).to.not.equal(reporter);
            expect(handler).to.not.equal(named);
            expect(namedOrg?.members ?? []).to.not.include(handler);
            expect(directory.abuseTeam).to.include(handler);
          }
        },
      ),
    );
  });
});
