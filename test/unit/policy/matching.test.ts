import { expect } from "chai";
import fc from "fast-check";
import {
  rankProviders,
  type MatchContext,
  type MatchRequest,
  type ProviderProfile,
} from "../../../src/policy/matching.js";

const none: MatchContext = { openCases: new Map(), conflicts: new Set(), declined: new Set() };

const securelab: ProviderProfile = {
  id: "securelab",
  skills: ["account-compromise", "malware", "phishing"],
  languages: ["en", "es"],
  regions: ["latam"],
  capacity: 3,
};
const shield: ProviderProfile = {
  id: "shield",
  skills: ["malware"],
  languages: ["en"],
  regions: ["europe"],
  capacity: 2,
};
const generalists: ProviderProfile = {
  id: "generalists",
  skills: [],
  languages: ["es"],
  regions: [],
  capacity: 5,
};

const TYPES = ["malware", "phishing", "other"];
const provider = fc.record({
  id: fc.constantFrom("p1", "p2", "p3", "p4", "p5", "partner-org"),
  skills: fc.subarray(TYPES),
  languages: fc.subarray(["en", "es", "fr"]),
  regions: fc.subarray(["latam", "europe"]),
  capacity: fc.integer({ min: 1, max: 5 }),
});
const providers = fc.uniqueArray(provider, { selector: (p) => p.id, maxLength: 6 });
const request = fc.record({
  type: fc.constantFrom(...TYPES),
  language: fc.option(fc.constantFrom("en", "es", "fr"), { nil: null }),
  region: fc.option(fc.constantFrom("latam", "europe"), { nil: null }),
  partnerOrg: fc.option(fc.constant("partner-org"), { nil: null }),
});
const context = fc.record({
  openCases: fc
    .dictionary(fc.constantFrom("p1", "p2", "p3", "p4", "p5"), fc.integer({ min: 0, max: 6 }))
    .map((d) => new Map(Object.entries(d))),
  conflicts: fc.subarray(["p1", "p2", "p3"]).map((a) => new Set(a)),
  declined: fc.subarray(["p3", "p4"]).map((a) => new Set(a)),
});

describe("policy/matching", () => {
  it("ranks by skill, then language, then region, with the reasons", () => {
    const req: MatchRequest = {
      type: "malware",
      language: "es",
      region: "latam",
      partnerOrg: "rights-collective",
    };
    const result = rankProviders(req, [shield, generalists, securelab], none);
    expect(result.candidates.map((c) => c.provider)).to.deep.equal([
      "securelab",
      "shield",
      "generalists",
    ]);
    expect(result.candidates[0]?.reasons).to.deep.equal([
      { code: "skill", type: "malware" },
      { code: "language", language: "es" },
      { code: "region", region: "latam" },
      { code: "load", open: 0, capacity: 3 },
    ]);
    expect(result.candidates[2]?.reasons[0]).to.deep.equal({ code: "no-skill", type: "malware" });
  });

  it("never the partner's own organisation, a conflict, one who declined, or one at capacity", () => {
    const req: MatchRequest = {
      type: "malware",
      language: "en",
      region: null,
      partnerOrg: "shield",
    };
    const result = rankProviders(req, [shield, generalists, securelab], {
      openCases: new Map([["generalists", 5]]),
      conflicts: new Set(),
      declined: new Set(["securelab"]),
    });
    expect(result.candidates).to.deep.equal([]);
    expect(result.excluded).to.deep.equal([
      { provider: "generalists", reason: "at-capacity" },
      { provider: "securelab", reason: "declined" },
      { provider: "shield", reason: "partner-own-organisation" },
    ]);
  });

  it("properties: exclusions hold, order is by score, input order does not matter", () => {
    fc.assert(
      fc.property(request, providers, context, (req, list, ctx) => {
        const result = rankProviders(req, list, ctx);
        const ids = result.candidates.map((c) => c.provider);
        if (req.partnerOrg !== null) expect(ids).to.not.include(req.partnerOrg);
        for (const id of [...ctx.conflicts, ...ctx.declined]) expect(ids).to.not.include(id);
        for (const c of result.candidates) {
          const profile = list.find((p) => p.id === c.provider);
          expect((ctx.openCases.get(c.provider) ?? 0) < (profile?.capacity ?? 0)).to.equal(true);
        }
        for (let i = 1; i < result.candidates.length; i++) {
          expect(result.candidates[i - 1]!.score).to.be.at.least(result.candidates[i]!.score);
        }
        expect(ids.length + result.excluded.length).to.equal(list.length);
        expect(rankProviders(req, [...list].reverse(), ctx)).to.deep.equal(result);
      }),
      { numRuns: 500 },
    );
  });

  it("properties: the skill never ranks a provider below an otherwise equal one without it; free capacity ranks above full", () => {
    fc.assert(
      fc.property(request, provider, fc.integer({ min: 0, max: 4 }), (req, base, open) => {
        const withSkill = { ...base, id: "p1", skills: [...new Set([...base.skills, req.type])] };
        const without = { ...base, id: "p2", skills: base.skills.filter((s) => s !== req.type) };
        const ctx = {
          ...none,
          openCases: new Map([
            ["p1", Math.min(open, base.capacity - 1)],
            ["p2", Math.min(open, base.capacity - 1)],
          ]),
        };
        const ranked = rankProviders(
          { ...req, partnerOrg: null },
          [without, withSkill],
          ctx,
        ).candidates.map((c) => c.provider);
        expect(ranked.indexOf("p1")).to.be.below(ranked.indexOf("p2"));
        const busier = { ...base, id: "p0", capacity: 5 };
        const freer = { ...base, id: "p9", capacity: 5 };
        const byLoad = rankProviders({ ...req, partnerOrg: null }, [busier, freer], {
          ...none,
          openCases: new Map([["p0", 4]]),
        }).candidates;
        expect(byLoad.map((c) => c.provider)).to.deep.equal(["p9", "p0"]);
      }),
    );
  });
});
