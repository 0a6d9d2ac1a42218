import { expect } from "chai";
import type { AudienceDirectory } from "../../../src/policy/audience.js";
import {
  currentParticipants,
  isDsxPerson,
  mayCloseTicket,
  type Participant,
  type TicketParties,
} from "../../../src/policy/participation.js";
import type { TlpLabel } from "../../../src/policy/tlp.js";

const BOT = "@dsx:x";
const ORGS: Record<string, readonly string[]> = {
  dsx: ["@ana:x"],
  partner: ["@maria:x", "@mario:x"],
  provider: ["@sam:x", "@sol:x"],
  other: ["@olga:x"],
};
const AFFILIATES: Record<string, readonly string[]> = {
  partner: ["@carla:x"],
  dsx: ["@dana:x"],
};

/** A directory whose members can be changed, as a reload changes them. */
function directoryOf(orgs: Record<string, readonly string[]>): AudienceDirectory {
  return {
    organisationOf: (userId) => {
      const id = Object.keys(orgs).find((org) => orgs[org]?.includes(userId));
      return id === undefined ? undefined : { id };
    },
    affiliationsOf: (userId) =>
      Object.keys(AFFILIATES)
        .filter((org) => AFFILIATES[org]?.includes(userId))
        .map((id) => ({ id })),
    isKnown: (userId) =>
      Object.values(orgs).flat().includes(userId) ||
      Object.values(AFFILIATES).flat().includes(userId),
  };
}
const directory = directoryOf(ORGS);

function parties(label: TlpLabel): TicketParties {
  return {
    label,
    partnerOrg: "partner",
    providerOrg: "provider",
    organisations: new Set(["partner", "provider", "dsx"]),
    dsxOrg: "dsx",
    botUserId: BOT,
  };
}

const recorded: Participant[] = [
  { userId: "@maria:x", via: "reporter" },
  { userId: "@sam:x", via: "provider" },
  { userId: "@ana:x", via: "asked" },
  { userId: "@mario:x", via: "invited" },
  { userId: "@sol:x", via: "invited" },
  { userId: "@carla:x", via: "invited" },
  { userId: "@olga:x", via: "invited" },
];

describe("policy/participation", () => {
  it("the partner's and the provider's people take part at any label; anyone else invited while the label would admit them again", () => {
    expect(currentParticipants(recorded, parties("GREEN"), directory)).to.deep.equal(
      recorded.map((p) => p.userId),
    );
    expect(currentParticipants(recorded, parties("AMBER"), directory)).to.deep.equal([
      "@maria:x",
      "@sam:x",
      "@ana:x",
      "@mario:x",
      "@sol:x",
      "@carla:x",
    ]);
    // AMBER+STRICT leaves out the partner's contractor; RED everyone else who was only invited.
    expect(currentParticipants(recorded, parties("AMBER+STRICT"), directory)).to.not.include(
      "@carla:x",
    );
    expect(currentParticipants(recorded, parties("RED"), directory)).to.deep.equal([
      "@maria:x",
      "@sam:x",
      "@ana:x",
      "@mario:x",
      "@sol:x",
    ]);
  });

  it("a place held by an organisation ends when the directory drops them; the reporter's never", () => {
    // Maria, Sam, Ana and Olga are in no organisation any more; Carla is still an affiliate.
    const reloaded = directoryOf({ dsx: [], partner: ["@mario:x"], provider: ["@sol:x"] });
    expect(currentParticipants(recorded, parties("AMBER"), reloaded)).to.deep.equal([
      "@maria:x",
      "@mario:x",
      "@sol:x",
      "@carla:x",
    ]);
  });

  it("DSX's people are its members and affiliates", () => {
    expect(isDsxPerson("@ana:x", "dsx", directory)).to.equal(true);
    expect(isDsxPerson("@dana:x", "dsx", directory)).to.equal(true);
    expect(isDsxPerson("@sam:x", "dsx", directory)).to.equal(false);
    expect(isDsxPerson("@stranger:y", "dsx", directory)).to.equal(false);
  });

  it("the reporter, the provider's people and the DSX team may close a ticket; others not", () => {
    const ticket = { reporterId: "@maria:x", providerOrg: "provider" };
    const may = (userId: string) => mayCloseTicket(userId, ticket, "dsx", directory);
    expect(["@maria:x", "@sam:x", "@sol:x", "@ana:x"].filter(may)).to.have.length(4);
    for (const other of ["@mario:x", "@carla:x", "@olga:x", "@dana:x"])
      expect(may(other), other).to.equal(false);
    expect(mayCloseTicket("@sam:x", { ...ticket, providerOrg: null }, "dsx", directory)).to.equal(
      false,
    );
  });
});
