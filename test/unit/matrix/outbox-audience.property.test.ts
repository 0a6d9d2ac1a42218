import { expect } from "chai";
import fc from "fast-check";
import { verbatim } from "../../../src/chat/render.js";
import type { Exchange } from "../../../src/policy/audience.js";
import { TLP_LABELS, type TlpLabel } from "../../../src/policy/tlp.js";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../../src/store/data-source.js";
import { OutgoingMessage } from "../../../src/store/entities/outgoing-message.js";
import { testDirectory } from "../../support/chat/fake-context.js";
import { BOT, FakeClient, MARIA, testOutbox } from "../../support/matrix/fake-outbox-client.js";

const ROOM = "!ticket";
const CASE = "INC-2026-0001";
const SAM = "@sam:example.org"; // securelab, a provider
const ANA = "@ana:example.org"; // DSX
const MALLORY = "@mallory:evil.org"; // nobody the exchange knows
const PEOPLE = [MARIA, SAM, ANA, MALLORY];
const ORGANISATIONS = ["rights-collective", "securelab", "dsx"];
const directory = testDirectory();

/** What happens to the room or the case: a membership, a participant or a party organisation. */
type Change =
  | { kind: "membership"; userId: string; membership: "join" | "invite" | "leave" }
  | { kind: "participant"; userId: string; taking: boolean }
  | { kind: "organisation"; id: string; taking: boolean };
/** A step: a message the bot sends, or a change, landing now or while the outbox waits. */
type Step = { kind: "send"; label: TlpLabel } | { kind: "change"; change: Change; midway: boolean };

const arbitraryChange: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant("membership" as const),
    userId: fc.constantFrom(...PEOPLE),
    membership: fc.constantFrom("join" as const, "invite" as const, "leave" as const),
  }),
  fc.record({
    kind: fc.constant("participant" as const),
    userId: fc.constantFrom(...PEOPLE),
    taking: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("organisation" as const),
    id: fc.constantFrom(...ORGANISATIONS),
    taking: fc.boolean(),
  }),
);
const arbitraryStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), label: fc.constantFrom(...TLP_LABELS) }),
  fc.record({
    kind: fc.constant("change" as const),
    change: arbitraryChange,
    midway: fc.boolean(),
  }),
);

/** The TLP table of DESIGN.md, plainly, for one person (the directory gives the organisations). */
function tableAllows(label: TlpLabel, userId: string, exchange: Exchange): boolean {
  if (userId === BOT || label === "WHITE") return true;
  const participant = exchange.participants.has(userId);
  const organisation = directory.organisationOf(userId)?.id;
  const ofParty = organisation !== undefined && exchange.organisations.has(organisation);
  switch (label) {
    case "RED":
      return participant;
    case "AMBER+STRICT":
    case "AMBER":
      return participant || ofParty;
    case "GREEN":
      return participant || directory.isKnown(userId);
  }
}

describe("matrix/outbox against the TLP table, under changes of members and of the case", () => {
  // One database for every run (each starts with an empty outbox): opening one takes long.
  let dataSource: DataSource;
  before(async () => {
    ({ dataSource } = await openDatabase({ type: "sqlite", path: ":memory:" }));
  });
  after(async () => {
    await dataSource.destroy();
  });

  it("property: a labelled message is sent only while everyone in the room is in its audience", async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryStep, { minLength: 1, maxLength: 25 }), async (steps) => {
        await dataSource.getRepository(OutgoingMessage).clear();
        const client = new FakeClient();
        const members = [
          { userId: BOT, membership: "join" },
          { userId: MARIA, membership: "join" },
        ];
        client.rooms.set(ROOM, { members, encrypted: true });
        const participants = new Set([BOT, MARIA]);
        const organisations = new Set(["rights-collective"]);
        const apply = (change: Change): void => {
          if (change.kind === "membership") {
            const at = members.findIndex((m) => m.userId === change.userId);
            if (at !== -1) members.splice(at, 1);
            if (change.membership !== "leave")
              members.push({ userId: change.userId, membership: change.membership });
          } else {
            const set = change.kind === "participant" ? participants : organisations;
            const value = change.kind === "participant" ? change.userId : change.id;
            if (change.taking) set.delete(value);
            else set.add(value);
          }
        };
        // Changes that land while the outbox is waiting on the server or the database.
        const midway: Change[] = [];
        const land = (): void => {
          for (const change of midway.splice(0)) apply(change);
        };
        client.whileWaiting = land;
        const violations: string[] = [];
        client.onSendEvent = (_roomId, content) => {
          const label = (content["org.dsx.tlp"] as TlpLabel | undefined) ?? "WHITE";
          const exchange = { participants, organisations };
          for (const m of members)
            if (!tableAllows(label, m.userId, exchange))
              violations.push(`${label} sent with ${m.userId} (${m.membership}) in the room`);
        };
        const box = testOutbox(
          client,
          dataSource,
          async () => {
            await Promise.resolve();
            land();
            // A copy: the case as the database holds it when read.
            return { participants: new Set(participants), organisations: new Set(organisations) };
          },
          { retryBaseMs: 1 },
        );
        try {
          for (const step of steps) {
            if (step.kind === "change") {
              if (step.midway) midway.push(step.change);
              else apply(step.change);
              continue;
            }
            await dataSource.transaction((manager) =>
              box.enqueue(
                manager,
                ROOM,
                { label: step.label, caseId: CASE, text: verbatim("case details") },
                MARIA,
              ),
            );
            await box.flush();
          }
        } finally {
          await box.stop();
        }
        expect(violations).to.deep.equal([]);
      }),
      { numRuns: 300 },
    );
  });
});
