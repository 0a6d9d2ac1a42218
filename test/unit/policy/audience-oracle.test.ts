import { expect } from "chai";
import fc from "fast-check";
import {
  decideAudience,
  isInAudience,
  type AudienceDirectory,
  type Exchange,
  type RoomFacts,
} from "../../../src/policy/audience.js";
import { TLP_LABELS, type TlpLabel } from "../../../src/policy/tlp.js";

const BOT = "@dsx:example.org";
const PEOPLE = ["@a:x", "@b:x", "@c:x", "@d:y", "@e:y", "@f:z", "@g:z", "@h:evil"];
const ORG_IDS = ["o1", "o2", "o3", "o4"];

/** A random directory: each person a member of at most one organisation, affiliated with any. */
interface World {
  readonly memberOf: ReadonlyMap<string, string>;
  readonly affiliateOf: ReadonlyMap<string, readonly string[]>;
  readonly known: ReadonlySet<string>;
}

const arbitraryWorld: fc.Arbitrary<World> = fc
  .tuple(
    fc.array(fc.option(fc.constantFrom(...ORG_IDS), { nil: undefined }), {
      minLength: PEOPLE.length,
      maxLength: PEOPLE.length,
    }),
    fc.array(fc.subarray(ORG_IDS), { minLength: PEOPLE.length, maxLength: PEOPLE.length }),
    fc.subarray(PEOPLE),
  )
  .map(([orgs, affiliations, alsoKnown]) => {
    const memberOf = new Map<string, string>();
    const affiliateOf = new Map<string, readonly string[]>();
    PEOPLE.forEach((person, i) => {
      const org = orgs[i];
      if (org !== undefined) memberOf.set(person, org);
      affiliateOf.set(person, affiliations[i] ?? []);
    });
    // Known: anyone with an organisation or affiliation, and some in other roles (teams).
    const known = new Set(
      PEOPLE.filter(
        (p) => memberOf.has(p) || (affiliateOf.get(p) ?? []).length > 0 || alsoKnown.includes(p),
      ),
    );
    return { memberOf, affiliateOf, known };
  });

function directoryOf(world: World): AudienceDirectory {
  return {
    organisationOf: (userId) => {
      const id = world.memberOf.get(userId);
      return id === undefined ? undefined : { id };
    },
    affiliationsOf: (userId) => (world.affiliateOf.get(userId) ?? []).map((id) => ({ id })),
    isKnown: (userId) => world.known.has(userId),
  };
}

const arbitraryExchange: fc.Arbitrary<Exchange | undefined> = fc.option(
  fc.record({
    participants: fc.subarray(PEOPLE).map((p) => new Set([...p, BOT])),
    organisations: fc.subarray(ORG_IDS).map((o) => new Set(o)),
  }),
  { nil: undefined },
);

const arbitraryRoom: fc.Arbitrary<RoomFacts> = fc.record({
  members: fc
    .uniqueArray(fc.constantFrom(...PEOPLE, BOT), { maxLength: 6 })
    .chain((ids) =>
      fc.tuple(
        fc.constant(ids),
        fc.array(fc.constantFrom("join" as const, "invite" as const), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
      ),
    )
    .map(([ids, kinds]) => ids.map((userId, i) => ({ userId, membership: kinds[i] ?? "join" }))),
  joinRule: fc.constantFrom("invite", "public", "knock", "restricted"),
  historyVisibility: fc.constantFrom("joined", "invited", "shared", "world_readable"),
  publishedInDirectory: fc.boolean(),
  encrypted: fc.boolean(),
});

const arbitraryLabel = fc.constantFrom<TlpLabel>(...TLP_LABELS);

/** The TLP table of DESIGN.md, written out again, plainly, as the oracle. */
function tableAllows(label: TlpLabel, userId: string, ex: Exchange | undefined, w: World) {
  if (userId === BOT || label === "WHITE") return true;
  const participant = ex?.participants.has(userId) === true;
  const org = w.memberOf.get(userId);
  const memberOfParty = org !== undefined && ex?.organisations.has(org) === true;
  const affiliateOfParty = (w.affiliateOf.get(userId) ?? []).some(
    (o) => ex?.organisations.has(o) === true,
  );
  switch (label) {
    case "RED":
      return participant;
    case "AMBER+STRICT":
      return participant || memberOfParty;
    case "AMBER":
      return participant || memberOfParty || affiliateOfParty;
    case "GREEN":
      return participant || w.known.has(userId);
  }
}

function roomAllows(label: TlpLabel, room: RoomFacts, ex: Exchange | undefined): boolean {
  if (label === "WHITE") return true;
  const isPublic =
    room.joinRule === "public" ||
    room.historyVisibility === "world_readable" ||
    room.publishedInDirectory;
  return !isPublic && room.encrypted && (label === "GREEN" || ex !== undefined);
}

describe("policy/audience against the TLP table, for random directories and rooms", () => {
  it("property: nothing is delivered to a room with a member outside the audience", () => {
    fc.assert(
      fc.property(
        arbitraryWorld,
        arbitraryRoom,
        arbitraryExchange,
        arbitraryLabel,
        (world, room, ex, label) => {
          const decision = decideAudience(label, room, ex, directoryOf(world), BOT);
          if (decision.allowed) {
            expect(roomAllows(label, room, ex)).to.equal(true);
            for (const member of room.members)
              expect(tableAllows(label, member.userId, ex, world), member.userId).to.equal(true);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("property: a room that satisfies the audience is never refused", () => {
    fc.assert(
      fc.property(
        arbitraryWorld,
        arbitraryRoom,
        arbitraryExchange,
        arbitraryLabel,
        (world, room, ex, label) => {
          const satisfied =
            roomAllows(label, room, ex) &&
            room.members.every((m) => tableAllows(label, m.userId, ex, world));
          if (satisfied)
            expect(decideAudience(label, room, ex, directoryOf(world), BOT).allowed).to.equal(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("property: once the guard has removed whoever is outside, the room may receive the label", () => {
    fc.assert(
      fc.property(
        arbitraryWorld,
        arbitraryRoom,
        arbitraryExchange,
        arbitraryLabel,
        (world, room, ex, label) => {
          fc.pre(roomAllows(label, room, ex));
          const directory = directoryOf(world);
          const kept = room.members.filter((m) =>
            isInAudience(label, m.userId, ex, directory, BOT),
          );
          expect(
            decideAudience(label, { ...room, members: kept }, ex, directory, BOT).allowed,
          ).to.equal(true);
          for (const m of room.members)
            expect(isInAudience(label, m.userId, ex, directory, BOT)).to.equal(
              tableAllows(label, m.userId, ex, world),
            );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
