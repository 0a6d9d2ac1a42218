import { expect } from "chai";
import fc from "fast-check";
import type { RoomKind } from "../../../src/chat/context.js";
import { PEOPLE } from "../../support/chat/chat-world.js";
import { expectAllEscaped } from "../../support/chat/escaping.js";
import {
  CASE_ID_VARIANTS,
  hostileAnswer,
  hostileText,
  hugeText,
} from "../../support/chat/hostile-text.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";

type CaseKind = "INC" | "VUL" | "COC" | "ALR";

/** One argument of a command: text, or a case of the world with its id almost right. */
type Argument = { readonly text: string } | { readonly caseOf: CaseKind; readonly variant: number };

const argument: fc.Arbitrary<Argument> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ text: hostileText }) },
  { weight: 2, arbitrary: fc.record({ text: hostileAnswer }) },
  {
    weight: 4,
    arbitrary: fc.record({
      caseOf: fc.constantFrom<CaseKind>("INC", "VUL", "COC", "ALR"),
      variant: fc.nat({ max: CASE_ID_VARIANTS.length - 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      text: fc.constantFrom(
        ...Object.values(PEOPLE),
        "securelab",
        "rights-collective",
        "GREEN",
        "WHITE",
        "RED",
        "amber",
        "TLP:CLEAR",
        "P3D",
        "PT1S",
        "3",
        "-1",
        "1e308",
        "keep",
        "remove",
        "edit",
        "withdraw",
        "confirm",
        "|",
        "in-progress",
        "resolved",
        "2026-13",
        "1999-01",
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ text: hugeText(19_000) }) },
);

/** Where a message is said: one of the world's rooms. */
const ROOMS = [
  "own direct room",
  "triage",
  "advisory",
  "donors",
  "abuseTeam",
  "communityAlerts",
  "publicAlerts",
  "ticket",
  "report",
  "other",
] as const;

interface Said {
  readonly person: keyof typeof PEOPLE;
  readonly room: (typeof ROOMS)[number];
  readonly prefix: string;
  /** A command's words (by index), or garbage where they should be. */
  readonly words: number | string;
  readonly args: readonly Argument[];
}

function roomOf(seeded: SeededCases, said: Said, sender: string): string {
  const { world } = seeded;
  switch (said.room) {
    case "own direct room":
      return world.dm(sender);
    case "ticket":
      return seeded.ticketRoom;
    case "report":
      return seeded.reportRoom;
    case "other":
      return "!other:x.org";
    default:
      return world.config.rooms[said.room];
  }
}

describe("fuzzing every command (real modules, in-memory SQLite)", function () {
  this.timeout(120_000);
  let seeded: SeededCases;
  let commands: (readonly string[])[];
  before(async () => {
    seeded = await seedCases();
    seeded.world.roomKinds.kinds.set("!other:x.org", "other" satisfies RoomKind);
    commands = seeded.world.commandWords();
  });
  after(() => seeded.world.stop());

  it("has seeded a case of each kind and knows the commands", () => {
    expect(Object.values(seeded.ids)).to.have.length(4);
    expect(commands.map((words) => words.join(" "))).to.include.members([
      "report incident",
      "close",
      "warn-partner",
      "need-time",
      "stats-csv",
    ]);
  });

  it("any person, any room, any command with missing, extra or garbled arguments: an answer or nothing, all escaped", async () => {
    const said = fc.record({
      person: fc.constantFrom(...(Object.keys(PEOPLE) as (keyof typeof PEOPLE)[])),
      room: fc.constantFrom(...ROOMS),
      prefix: fc.constantFrom("!dsx ", "!DSX  ", "", "!dsx\n", "!dsx\u200b "),
      words: fc.oneof({ weight: 4, arbitrary: fc.nat() }, { weight: 1, arbitrary: hostileAnswer }),
      args: fc.array(argument, { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(said, { minLength: 1, maxLength: 5 }), async (script) => {
        for (const step of script) {
          const sender = PEOPLE[step.person];
          const words =
            typeof step.words === "string"
              ? [step.words]
              : (commands[step.words % commands.length] ?? []);
          const args = step.args.map((a) =>
            "text" in a ? a.text : (CASE_ID_VARIANTS[a.variant] ?? String)(seeded.ids[a.caseOf]),
          );
          const body = `${step.prefix}${[...words, ...args].join(" ")}`;
          const queued = await seeded.world.say(roomOf(seeded, step, sender), sender, body);
          expectAllEscaped(queued);
        }
      }),
      { numRuns: 200 },
    );
  });
});
