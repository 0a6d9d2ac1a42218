import { expect } from "chai";
import fc from "fast-check";
import { join } from "node:path";
import { Directory } from "../../../src/config/directory.js";
import { loadConfigFile } from "../../../src/config/load.js";
import {
  rankProviders,
  type MatchContext,
  type MatchRequest,
  type MatchResult,
  type ProviderProfile,
} from "../../../src/policy/matching.js";
import { exampleEnv } from "../../support/example-env.js";
import { repositoryRoot } from "../../support/paths.js";

const none: MatchContext = { openCases: new Map(), conflicts: new Set(), declined: new Set() };

const TYPES = ["malware", "phishing", "other"];
const IDS = ["p1", "p2", "p3", "p4", "p5", "partner-org"];
const provider = fc.record({
  id: fc.constantFrom(...IDS),
  skills: fc.subarray(TYPES),
  languages: fc.subarray(["en", "es", "fr"]),
  regions: fc.subarray(["latam", "europe"]),
  capacity: fc.integer({ min: 0, max: 5 }),
});
const providers = fc.uniqueArray(provider, { selector: (p) => p.id, maxLength: IDS.length });
const request = fc.record({
  type: fc.constantFrom(...TYPES),
  language: fc.option(fc.constantFrom("en", "es", "fr"), { nil: null }),
  region: fc.option(fc.constantFrom("latam", "europe"), { nil: null }),
  partnerOrg: fc.option(fc.constantFrom("partner-org", "p1"), { nil: null }),
});
const context = fc.record({
  openCases: fc
    .dictionary(fc.constantFrom(...IDS), fc.integer({ min: 0, max: 6 }))
    .map((d) => new Map(Object.entries(d))),
  conflicts: fc.subarray(["p1", "p2", "p3"]).map((a) => new Set(a)),
  declined: fc.subarray(["p3", "p4"]).map((a) => new Set(a)),
});

const order = (result: MatchResult) => result.candidates.map((c) => c.provider);
const reversed = <T>(items: Iterable<T>) => [...items].reverse();

describe("policy/matching", () => {
  describe("with the example directory of bot.example.yaml", () => {
    let providersOfExample: ProviderProfile[];
    before(async () => {
      const loaded = await loadConfigFile(join(repositoryRoot, "bot.example.yaml"), exampleEnv());
      if (!loaded.ok) throw new Error("bot.example.yaml does not load");
      providersOfExample = new Directory(loaded.config).withRole("provider");
    });
    const fromRightsCollective: MatchRequest = {
      type: "malware",
      language: "es",
      region: "latam",
      partnerOrg: "rights-collective",
    };

    it("offers securelab for a malware incident in Spanish from Latin America, with the reasons", () => {
      const result = rankProviders(fromRightsCollective, providersOfExample, {
        ...none,
        openCases: new Map([["securelab", 1]]),
      });
      expect(result.excluded).to.deep.equal([]);
      expect(result.candidates).to.have.length(1);
      expect(result.candidates[0]?.provider).to.equal("securelab");
      expect(result.candidates[0]?.reasons).to.deep.equal([
        { code: "skill", type: "malware" },
        { code: "language", language: "es" },
        { code: "region", region: "latam" },
        { code: "load", open: 1, capacity: 3 },
      ]);
    });

    it("still lists securelab, ranked on what it has, for a type it does not list", () => {
      const result = rankProviders(
        { type: "surveillance", language: "fr", region: "africa", partnerOrg: "rights-collective" },
        providersOfExample,
        none,
      );
      expect(result.candidates.map((c) => c.reasons)).to.deep.equal([
        [
          { code: "no-skill", type: "surveillance" },
          { code: "load", open: 0, capacity: 3 },
        ],
      ]);
    });

    it("excludes securelab when full, when it declined, in conflict, or when it reported", () => {
      const cases: [MatchContext, MatchRequest, string][] = [
        [{ ...none, openCases: new Map([["securelab", 3]]) }, fromRightsCollective, "at-capacity"],
        [{ ...none, declined: new Set(["securelab"]) }, fromRightsCollective, "declined"],
        [{ ...none, conflicts: new Set(["securelab"]) }, fromRightsCollective, "conflict"],
        [none, { ...fromRightsCollective, partnerOrg: "securelab" }, "partner-own-organisation"],
      ];
      for (const [ctx, req, reason] of cases) {
        expect(rankProviders(req, providersOfExample, ctx)).to.deep.equal({
          candidates: [],
          excluded: [{ provider: "securelab", reason }],
        });
      }
    });
  });

  it("ranks by skill, then language, then region, then free capacity, then id", () => {
    const base = { skills: [], languages: [], regions: [], capacity: 2 };
    const list: ProviderProfile[] = [
      { ...base, id: "a-region", regions: ["LatAm"] },
      { ...base, id: "b-language-busy", languages: ["ES"], capacity: 4 },
      { ...base, id: "c-language", languages: ["es"] },
      { ...base, id: "d-skill", skills: ["malware"] },
      { ...base, id: "e-nothing", skills: ["phishing"] },
      { ...base, id: "f-nothing" },
    ];
    const result = rankProviders(
      { type: "malware", language: "es", region: "latam", partnerOrg: null },
      list,
      { ...none, openCases: new Map([["b-language-busy", 1]]) },
    );
    expect(order(result)).to.deep.equal([
      "d-skill",
      "c-language",
      "b-language-busy",
      "a-region",
      "e-nothing",
      "f-nothing",
    ]);
    expect(result.candidates[1]?.reasons).to.deep.equal([
      { code: "no-skill", type: "malware" },
      { code: "language", language: "es" },
      { code: "load", open: 0, capacity: 2 },
    ]);
  });

  it("names the first exclusion that applies, and excludes a provider of capacity 0", () => {
    const p = (id: string, capacity = 1): ProviderProfile => ({
      id,
      skills: [],
      languages: [],
      regions: [],
      capacity,
    });
    const result = rankProviders(
      { type: "malware", language: null, region: null, partnerOrg: "own" },
      [p("own"), p("both"), p("full"), p("resting", 0)],
      {
        openCases: new Map([
          ["own", 9],
          ["full", 1],
        ]),
        conflicts: new Set(["own", "both"]),
        declined: new Set(["both"]),
      },
    );
    expect(result).to.deep.equal({
      candidates: [],
      excluded: [
        { provider: "both", reason: "conflict" },
        { provider: "full", reason: "at-capacity" },
        { provider: "own", reason: "partner-own-organisation" },
        { provider: "resting", reason: "at-capacity" },
      ],
    });
  });

  it("property: never the partner's own organisation, a conflict, one who declined or is full", () => {
    fc.assert(
      fc.property(request, providers, context, (req, list, ctx) => {
        const result = rankProviders(req, list, ctx);
        const ids = order(result);
        if (req.partnerOrg !== null) expect(ids).to.not.include(req.partnerOrg);
        for (const id of [...ctx.conflicts, ...ctx.declined]) expect(ids).to.not.include(id);
        for (const p of list) {
          if ((ctx.openCases.get(p.id) ?? 0) >= p.capacity) expect(ids).to.not.include(p.id);
        }
        // Every provider is either a candidate or excluded, once.
        expect([...ids, ...result.excluded.map((e) => e.provider)].sort()).to.deep.equal(
          list.map((p) => p.id).sort(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("property: candidates are sorted by score, ties by id", () => {
    fc.assert(
      fc.property(request, providers, context, (req, list, ctx) => {
        const { candidates } = rankProviders(req, list, ctx);
        for (let i = 1; i < candidates.length; i++) {
          const [before, after] = [candidates[i - 1]!, candidates[i]!];
          expect(before.score).to.be.at.least(after.score);
          if (before.score === after.score) expect(before.provider < after.provider).to.equal(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("property: the result does not depend on the order of the input", () => {
    fc.assert(
      fc.property(
        request,
        providers.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
          ),
        ),
        context,
        (req, [list, shuffled], ctx) => {
          const other: MatchContext = {
            openCases: new Map(reversed(ctx.openCases)),
            conflicts: new Set(reversed(ctx.conflicts)),
            declined: new Set(reversed(ctx.declined)),
          };
          expect(rankProviders(req, shuffled, other)).to.deep.equal(rankProviders(req, list, ctx));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: adding the incident's type as a skill never lowers a provider's rank", () => {
    fc.assert(
      fc.property(
        request,
        providers.filter((l) => l.length > 0),
        context,
        fc.nat(),
        (req, list, ctx, pick) => {
          const chosen = list[pick % list.length]!;
          const skilled = list.map((p) =>
            p === chosen ? { ...p, skills: [...p.skills, req.type] } : p,
          );
          const rankBefore = order(rankProviders(req, list, ctx)).indexOf(chosen.id);
          const rankAfter = order(rankProviders(req, skilled, ctx)).indexOf(chosen.id);
          expect(rankAfter).to.be.at.most(rankBefore === -1 ? Infinity : rankBefore);
          // Exclusions do not depend on skills.
          expect(rankAfter === -1).to.equal(rankBefore === -1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: of two otherwise identical providers, the one with the skill ranks first, whatever the ids", () => {
    fc.assert(
      fc.property(request, provider, fc.nat(), fc.boolean(), (req, base, open, skillFirstById) => {
        const capacity = Math.max(base.capacity, 1);
        const [skilledId, plainId] = skillFirstById ? ["p1", "p2"] : ["p2", "p1"];
        const withSkill = { ...base, capacity, id: skilledId, skills: [...base.skills, req.type] };
        const without = {
          ...base,
          capacity,
          id: plainId,
          skills: base.skills.filter((s) => s !== req.type),
        };
        const load = open % capacity;
        const ranked = order(
          rankProviders({ ...req, partnerOrg: null }, [without, withSkill], {
            ...none,
            openCases: new Map([
              [skilledId, load],
              [plainId, load],
            ]),
          }),
        );
        expect(ranked).to.deep.equal([skilledId, plainId]);
      }),
      { numRuns: 300 },
    );
  });

  it("property: a provider at capacity is never ranked above one with free capacity and equal fit", () => {
    fc.assert(
      fc.property(
        request,
        provider.filter((p) => p.capacity > 0),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (req, base, a, b, busierFirstById) => {
          const [busierId, freerId] = busierFirstById ? ["p1", "p2"] : ["p2", "p1"];
          const low = Math.min(a % base.capacity, b % base.capacity);
          const high = Math.max(a % base.capacity, b % base.capacity);
          const list = [busierId, freerId].map((id) => ({ ...base, id }));
          const rank = (busierOpen: number, freerOpen: number) =>
            order(
              rankProviders({ ...req, partnerOrg: null }, list, {
                ...none,
                openCases: new Map([
                  [busierId, busierOpen],
                  [freerId, freerOpen],
                ]),
              }),
            );
          // Full: not offered at all. Busier but not full: below the freer one.
          expect(rank(base.capacity, low)).to.deep.equal([freerId]);
          if (low < high) expect(rank(high, low)).to.deep.equal([freerId, busierId]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
