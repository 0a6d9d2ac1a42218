import { expect } from "chai";
import fc from "fast-check";
import { DEFAULT_INCIDENT_TYPES } from "../../../src/config/schema.js";
import { ChatWorld, PEOPLE } from "../../support/chat/chat-world.js";
import { hostileAnswer, hostileText } from "../../support/chat/hostile-text.js";
import { intakeRun, walkIntake, type ValidAnswers } from "../../support/chat/intake-driver.js";

const RUNS = 60;

/** Any letter case of a word. */
function anyCase(words: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...words), fc.constantFrom("lower", "upper", "spaced"))
    .map(([w, how]) => (how === "upper" ? w.toUpperCase() : how === "spaced" ? ` ${w} ` : w));
}

/**
 * A Matrix user ID made of hostile text, kept to what the spec's grammar allows (markup and
 * punctuation in the localpart; a DNS name): anything else is not a user ID and asked again.
 */
const hostileUserId = fc
  .tuple(hostileText, hostileText)
  .map(
    ([local, server]) =>
      `@${local.replace(/[^!-9;-~]/g, "") || "x"}<b>:${server.replace(/[^A-Za-z0-9.-]/g, "") || "y"}`,
  );

const INCIDENT: ValidAnswers = {
  type: fc.integer({ min: 1, max: DEFAULT_INCIDENT_TYPES.length }).map(String),
  description: hostileAnswer,
  measures: hostileAnswer,
  files: anyCase(["done", "none", "listo"]),
  urgency: anyCase(["low", "medium", "high", "critical"]),
  tlp: anyCase(["RED", "amber", "TLP:GREEN", "white", "clear", "default"]),
  consent: anyCase(["yes", "no", "sí"]),
};

const VULNERABILITY: ValidAnswers = {
  affected: fc.oneof(anyCase(["securelab", "Rights Collective"]), hostileUserId),
  description: hostileAnswer,
  severity: anyCase(["low", "medium", "high", "critical"]),
  evidence: hostileAnswer,
  credit: fc.oneof(
    anyCase(["anonymous"]),
    hostileAnswer.map((t) => t.slice(0, 150)),
  ),
  "share-contact": anyCase(["yes", "no"]),
};

const HARASSMENT: ValidAnswers = {
  what: hostileAnswer,
  who: fc.oneof(anyCase(["skip", "none"]), hostileUserId, fc.constant(PEOPLE.sam)),
  "where-when": hostileAnswer,
  evidence: fc.oneof(anyCase(["skip"]), hostileAnswer),
  anonymous: anyCase(["yes", "no"]),
};

describe("fuzzing the guided conversations (real modules, in-memory SQLite)", function () {
  this.timeout(120_000);
  let world: ChatWorld;
  before(async () => {
    world = await ChatWorld.create();
  });
  after(() => world.stop());

  const cases: [string, string, string, ValidAnswers, string][] = [
    ["report incident", PEOPLE.maria, "INC", INCIDENT, "type"],
    ["report vulnerability", PEOPLE.pablo, "VUL", VULNERABILITY, "affected"],
    ["report harassment", PEOPLE.stranger, "COC", HARASSMENT, "what"],
  ];
  for (const [command, sender, kind, valid, first] of cases) {
    it(`${command}: every question, hostile answers and noise in between, ends in a ${kind} case, all escaped`, async () => {
      await fc.assert(
        fc.asyncProperty(intakeRun(valid), async (run) => {
          const { prompts, final } = await walkIntake(world, sender, command, run);
          expect(prompts[0]).to.equal(first);
          for (const field of Object.keys(valid)) expect(prompts).to.include(field);
          expect(prompts).to.include("confirm");
          const received = final.find((m) => m.content["org.dsx.step"] === "received");
          expect(received?.content["org.dsx.case"]).to.match(
            new RegExp(`^${kind}-\\d{4}-\\d{4,}$`),
          );
        }),
        { numRuns: RUNS },
      );
    });
  }
});
