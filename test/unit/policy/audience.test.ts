import { expect } from "chai";
import fc from "fast-check";
import {
  decideAudience,
  type AudienceDirectory,
  type Exchange,
  type RoomFacts,
  type RoomMember,
} from "../../../src/policy/audience.js";
import { TLP_LABELS, isMoreRestrictive, type TlpLabel } from "../../../src/policy/tlp.js";

const BOT = "@dsx:example.org";

/** A small world: organisations, their members and affiliates, people known in other roles. */
const ORGS: Record<string, readonly string[]> = {
  dsx: ["@ana:x"],
  partner: ["@maria:x", "@mario:x"],
  provider: ["@sam:x"],
  other: ["@olga:x"],
};
const AFFILIATES: Record<string, readonly string[]> = {
  partner: ["@contractor:x"],
  other: ["@oscar:x"],
};
const TEAMS = ["@lee:x", "@kim:x"];
const STRANGERS = ["@stranger:evil.org", "@mallory:x"];
const EVERYONE = [
  ...Object.values(ORGS).flat(),
  ...Object.values(AFFILIATES).flat(),
  ...TEAMS,
  ...STRANGERS,
  BOT,
];

const directory: AudienceDirectory = {
  organisationOf: (userId) => {
    const id = Object.keys(ORGS).find((org) => ORGS[org]?.includes(userId));
    return id === undefined ? undefined : { id };
  },
  affiliationsOf: (userId) =>
    Object.keys(AFFILIATES)
      .filter((org) => AFFILIATES[org]?.includes(userId))
      .map((id) => ({ id })),
  isKnown: (userId) => userId !== BOT && !STRANGERS.includes(userId),
};

const exchange: Exchange = {
  participants: new Set(["@maria:x", "@sam:x", BOT]),
  organisations: new Set(["partner", "provider", "dsx"]),
};

function room(userIds: readonly string[], overrides: Partial<RoomFacts> = {}): RoomFacts {
  return {
    members: userIds.map((userId, i): RoomMember => ({
      userId,
      membership: i % 3 === 2 ? "invite" : "join",
    })),
    joinRule: "invite",
    historyVisibility: "joined",
    publishedInDirectory: false,
    encrypted: true,
    ...overrides,
  };
}

const arbitraryRoom = fc.record({
  members: fc
    .uniqueArray(fc.constantFrom(...EVERYONE), { maxLength: 8 })
    .map((ids) =>
      ids.map((userId, i): RoomMember => ({ userId, membership: i % 2 === 0 ? "join" : "invite" })),
    ),
  joinRule: fc.constantFrom("invite", "public", "knock", "restricted"),
  historyVisibility: fc.constantFrom("joined", "invited", "shared", "world_readable"),
  publishedInDirectory: fc.boolean(),
  encrypted: fc.boolean(),
});
const arbitraryLabel = fc.constantFrom<TlpLabel>(...TLP_LABELS);
const arbitraryExchange = fc.option(
  fc.record({
    participants: fc
      .uniqueArray(fc.constantFrom(...EVERYONE), { maxLength: 5 })
      .map((ids) => new Set(ids)),
    organisations: fc
      .uniqueArray(fc.constantFrom(...Object.keys(ORGS)), { maxLength: 3 })
      .map((ids) => new Set(ids)),
  }),
  { nil: undefined },
);

describe("policy/audience (TLP table)", () => {
  it("RED reaches only the exchange's participants", () => {
    expect(
      decideAudience("RED", room(["@maria:x", "@sam:x", BOT]), exchange, directory, BOT),
    ).to.deep.equal({ allowed: true });
    expect(
      decideAudience("RED", room(["@maria:x", "@mario:x"]), exchange, directory, BOT),
    ).to.deep.equal({
      allowed: false,
      reason: "outside-audience",
      offenders: ["@mario:x"],
    });
    // DSX staff are party to a RED exchange only when the partner asked them in.
    expect(
      decideAudience("RED", room(["@maria:x", "@ana:x"]), exchange, directory, BOT).allowed,
    ).to.equal(false);
  });

  it("AMBER+STRICT reaches the organisations party to the exchange, AMBER also their affiliates", () => {
    const colleagues = room(["@maria:x", "@mario:x", "@ana:x", "@sam:x"]);
    expect(decideAudience("AMBER+STRICT", colleagues, exchange, directory, BOT).allowed).to.equal(
      true,
    );
    const withContractor = room(["@maria:x", "@contractor:x"]);
    expect(decideAudience("AMBER+STRICT", withContractor, exchange, directory, BOT)).to.deep.equal({
      allowed: false,
      reason: "outside-audience",
      offenders: ["@contractor:x"],
    });
    expect(decideAudience("AMBER", withContractor, exchange, directory, BOT).allowed).to.equal(
      true,
    );
    // An affiliate of an organisation that is not party to the exchange is outside.
    expect(
      decideAudience("AMBER", room(["@maria:x", "@oscar:x"]), exchange, directory, BOT).allowed,
    ).to.equal(false);
  });

  it("GREEN reaches people the directory knows, in a room that is not public", () => {
    expect(
      decideAudience("GREEN", room(["@olga:x", "@lee:x", "@oscar:x"]), undefined, directory, BOT)
        .allowed,
    ).to.equal(true);
    expect(
      decideAudience("GREEN", room(["@olga:x", "@stranger:evil.org"]), undefined, directory, BOT),
    ).to.deep.equal({
      allowed: false,
      reason: "outside-audience",
      offenders: ["@stranger:evil.org"],
    });
    const known = ["@olga:x"];
    expect(
      decideAudience("GREEN", room(known, { joinRule: "public" }), undefined, directory, BOT),
    ).to.deep.equal({
      allowed: false,
      reason: "room-public",
      detail: "join-rule",
    });
    expect(
      decideAudience(
        "GREEN",
        room(known, { historyVisibility: "world_readable" }),
        undefined,
        directory,
        BOT,
      ),
    ).to.deep.equal({
      allowed: false,
      reason: "room-public",
      detail: "history",
    });
    expect(
      decideAudience(
        "GREEN",
        room(known, { publishedInDirectory: true }),
        undefined,
        directory,
        BOT,
      ),
    ).to.deep.equal({
      allowed: false,
      reason: "room-public",
      detail: "directory",
    });
  });

  it("anything above WHITE needs an encrypted room", () => {
    const plain = room(["@maria:x"], { encrypted: false });
    for (const label of ["RED", "AMBER+STRICT", "AMBER", "GREEN"] as const) {
      expect(decideAudience(label, plain, exchange, directory, BOT), label).to.deep.equal({
        allowed: false,
        reason: "room-unencrypted",
      });
    }
    expect(decideAudience("WHITE", plain, exchange, directory, BOT).allowed).to.equal(true);
  });

  it("WHITE reaches anyone, anywhere", () => {
    const publicRoom = room(["@stranger:evil.org"], {
      joinRule: "public",
      historyVisibility: "world_readable",
      publishedInDirectory: true,
    });
    expect(decideAudience("WHITE", publicRoom, undefined, directory, BOT).allowed).to.equal(true);
  });

  it("counts invited people as much as joined ones", () => {
    const invited: RoomFacts = {
      ...room([]),
      members: [{ userId: "@mario:x", membership: "invite" }],
    };
    expect(decideAudience("RED", invited, exchange, directory, BOT).allowed).to.equal(false);
  });

  it("RED and AMBER without a case to belong to are refused", () => {
    expect(decideAudience("RED", room([BOT]), undefined, directory, BOT)).to.deep.equal({
      allowed: false,
      reason: "no-exchange",
    });
    expect(decideAudience("AMBER", room([BOT]), undefined, directory, BOT)).to.deep.equal({
      allowed: false,
      reason: "no-exchange",
    });
  });

  describe("properties", () => {
    it("a room allowed at a label is allowed at every less restrictive label", () => {
      fc.assert(
        fc.property(
          arbitraryRoom,
          arbitraryExchange,
          arbitraryLabel,
          arbitraryLabel,
          (facts, ex, a, b) => {
            const [strict, lax] = isMoreRestrictive(a, b) ? [a, b] : [b, a];
            if (decideAudience(strict, facts, ex, directory, BOT).allowed) {
              expect(
                decideAudience(lax, facts, ex, directory, BOT).allowed,
                `${strict} allowed, ${lax} refused`,
              ).to.equal(true);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("adding a member never turns a refusal into an allowance", () => {
      fc.assert(
        fc.property(
          arbitraryRoom,
          arbitraryExchange,
          arbitraryLabel,
          fc.constantFrom(...EVERYONE),
          (facts, ex, label, extra) => {
            if (!decideAudience(label, facts, ex, directory, BOT).allowed) {
              const bigger = {
                ...facts,
                members: [...facts.members, { userId: extra, membership: "invite" as const }],
              };
              expect(decideAudience(label, bigger, ex, directory, BOT).allowed).to.equal(false);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("a stranger in the room leaves only WHITE", () => {
      fc.assert(
        fc.property(
          arbitraryRoom,
          arbitraryExchange,
          arbitraryLabel,
          fc.constantFrom(...STRANGERS),
          (facts, ex, label, stranger) => {
            const participants = ex?.participants.has(stranger) === true;
            fc.pre(!participants);
            const withStranger = {
              ...facts,
              members: [...facts.members, { userId: stranger, membership: "join" as const }],
            };
            expect(decideAudience(label, withStranger, ex, directory, BOT).allowed).to.equal(
              label === "WHITE",
            );
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("a refusal names exactly the members outside the audience", () => {
      fc.assert(
        fc.property(arbitraryRoom, arbitraryExchange, arbitraryLabel, (facts, ex, label) => {
          const decision = decideAudience(label, facts, ex, directory, BOT);
          if (!decision.allowed && decision.reason === "outside-audience") {
            expect(decision.offenders).to.not.include(BOT);
            expect(decision.offenders.length).to.be.greaterThan(0);
            for (const offender of decision.offenders) {
              expect(facts.members.map((m) => m.userId)).to.include(offender);
              // Each offender alone (with the bot) is refused too: they are really outside.
              const alone = {
                ...facts,
                members: [{ userId: offender, membership: "join" as const }],
              };
              expect(decideAudience(label, alone, ex, directory, BOT).allowed).to.equal(false);
            }
            const rest = facts.members.filter((m) => !decision.offenders.includes(m.userId));
            expect(
              decideAudience(label, { ...facts, members: rest }, ex, directory, BOT).allowed,
            ).to.equal(true);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it("a room with only the bot in it takes any label its publicity allows", () => {
      fc.assert(
        fc.property(arbitraryRoom, arbitraryLabel, (facts, label) => {
          const decision = decideAudience(
            label,
            { ...facts, members: [{ userId: BOT, membership: "join" }] },
            exchange,
            directory,
            BOT,
          );
          const isPublic =
            facts.joinRule === "public" ||
            facts.historyVisibility === "world_readable" ||
            facts.publishedInDirectory;
          expect(decision.allowed).to.equal(label === "WHITE" || (!isPublic && facts.encrypted));
        }),
      );
    });
  });
});
