import { expect } from "chai";
import fc from "fast-check";
import { handlingOf, recused } from "../../../../src/cases/conduct/recusal.js";
import { canonicalUserId } from "../../../../src/policy/user-id.js";

const ORGS: Record<string, { role: string; members: readonly string[] }> = {
  dsx: { role: "dsx", members: ["@ana:x", "@dan:x"] },
  partner: { role: "partner", members: ["@maria:x", "@mario:x", "@lee:x"] },
};
const organisationOf = (userId: string) =>
  Object.values(ORGS).find((org) => org.members.includes(userId));
const directory = {
  abuseTeam: ["@ana:x", "@lee:x", "@dan:x"],
  advisoryCommittee: ["@kim:y", "@jo:y", "@ana:x"],
  organisationOf,
};
/** DSX's own people are the whole abuse team: the usual case. */
const dsxTeam = { ...directory, abuseTeam: ["@ana:x", "@dan:x"] };

describe("cases/conduct recusal", () => {
  it("leaves out the person named, the reporter and, outside DSX, the named person's colleagues", () => {
    expect(handlingOf(directory, "@maria:x", "@ana:x")).to.deep.equal({
      body: "abuse-team",
      handlers: ["@lee:x", "@dan:x"],
    });
    expect(handlingOf(directory, "@olga:y", "@mario:x").handlers).to.deep.equal([
      "@ana:x",
      "@dan:x",
    ]);
    expect([...recused(directory, "@olga:y", "@mario:x")].sort()).to.deep.equal([
      "@lee:x",
      "@maria:x",
      "@mario:x",
      "@olga:y",
    ]);
  });

  it("a report naming one of DSX's team goes to the rest of it, not to nobody", () => {
    expect(handlingOf(dsxTeam, "@maria:x", "@dan:x")).to.deep.equal({
      body: "abuse-team",
      handlers: ["@ana:x"],
    });
  });

  it("when nobody of the abuse team is left, the advisory committee has it, less the recused", () => {
    const alone = { ...directory, abuseTeam: ["@dan:x"] };
    expect(handlingOf(alone, "@maria:x", "@dan:x")).to.deep.equal({
      body: "advisory-committee",
      handlers: ["@kim:y", "@jo:y", "@ana:x"],
    });
    expect(handlingOf(alone, "@kim:y", "@dan:x").handlers).to.deep.equal(["@jo:y", "@ana:x"]);
    const nobody = { ...alone, advisoryCommittee: ["@dan:x"] };
    expect(handlingOf(nobody, "@maria:x", "@dan:x").handlers).to.deep.equal([]);
  });

  it("property: no handler is the reporter, the person named, or a colleague outside DSX", () => {
    const people = ["@ana:x", "@dan:x", "@lee:x", "@maria:x", "@mario:x", "@olga:y", "@kim:y"];
    const team = fc.subarray(people);
    fc.assert(
      fc.property(
        team,
        team,
        fc.constantFrom(...people),
        fc.option(fc.constantFrom(...people), { nil: undefined }),
        (abuseTeam, advisoryCommittee, reporter, named) => {
          const world = { abuseTeam, advisoryCommittee, organisationOf };
          const { body, handlers } = handlingOf(world, reporter, named);
          const namedOrg = named === undefined ? undefined : organisationOf(named);
          const colleagues = namedOrg?.role === "dsx" ? [] : (namedOrg?.members ?? []);
          for (const handler of handlers) {
            expect(handler).to.not.equal(reporter);
            expect(handler).to.not.equal(named);
            expect(colleagues).to.not.include(handler);
            expect(body === "abuse-team" ? abuseTeam : advisoryCommittee).to.include(handler);
          }
          // The committee only when the abuse team has nobody left.
          if (body === "advisory-committee")
            expect(abuseTeam.filter((m) => !recused(world, reporter, named).has(m))).to.deep.equal(
              [],
            );
        },
      ),
    );
  });

  it("property: a capital letter or an invisible character does not make another person", () => {
    const invisible = fc.constantFrom("\u200B", "\u200E", "\u202E", "\u2066", "\uFEFF", "\u00AD");
    /** `userId` respelt: some letters in upper case, invisible characters anywhere. */
    const respelt = (userId: string) =>
      fc
        .tuple(
          fc.array(fc.boolean(), { minLength: userId.length, maxLength: userId.length }),
          fc.array(fc.tuple(fc.nat(userId.length), invisible), { maxLength: 3 }),
        )
        .map(([upper, inserts]) => {
          let text = Array.from(userId)
            .map((c, i) => (upper[i] === true ? c.toUpperCase() : c))
            .join("");
          for (const [at, char] of inserts) text = text.slice(0, at) + char + text.slice(at);
          return text;
        });
    const member = fc.constantFrom(...directory.abuseTeam);
    fc.assert(
      fc.property(
        member.chain((m) => fc.tuple(fc.constant(m), respelt(m))),
        ([person, spelling]) => {
          expect(canonicalUserId(spelling)).to.equal(canonicalUserId(person));
          expect(handlingOf(directory, "@olga:y", spelling).handlers).to.not.include(person);
          expect(handlingOf(directory, spelling, undefined).handlers).to.not.include(person);
        },
      ),
    );
  });
});
