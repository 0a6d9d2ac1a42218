import { expect } from "chai";
import fc from "fast-check";
import { PEOPLE } from "../../support/chat/chat-world.js";
import { expectAllEscaped } from "../../support/chat/escaping.js";
import {
  CASE_ID_VARIANTS,
  hostileAnswer,
  hostileText,
  longUserId,
} from "../../support/chat/hostile-text.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";

type Place = "triage" | "advisory" | "donors" | "sam's room" | "ticket" | "report";
type CaseKind = "INC" | "VUL" | "ALR";

/**
 * Each command where it applies, from someone allowed to use it, naming a case of the world
 * (when it takes one): the fuzzed part is what follows.
 */
const AIMED: readonly (readonly [Place, keyof typeof PEOPLE, string, CaseKind?])[] = [
  ["triage", "ana", "tickets"],
  ["triage", "ana", "ticket", "INC"],
  ["triage", "ana", "match", "INC"],
  ["triage", "ana", "assign", "INC"],
  ["triage", "ana", "close", "INC"],
  ["triage", "ana", "vulns"],
  ["triage", "ana", "vuln", "VUL"],
  ["triage", "ana", "escalate", "VUL"],
  ["triage", "ana", "extend", "VUL"],
  ["triage", "ana", "expedite", "VUL"],
  ["triage", "ana", "disclose", "VUL"],
  ["triage", "ana", "approve", "VUL"],
  ["triage", "ana", "confirm", "VUL"],
  ["triage", "ana", "alert", "VUL"],
  ["triage", "ana", "warn-partner", "INC"],
  ["triage", "ana", "warn-partner", "VUL"],
  ["triage", "ana", "stats-csv"],
  ["triage", "ana", "audit", "INC"],
  ["triage", "ana", "audit", "VUL"],
  ["triage", "ana", "audit", "ALR"],
  ["advisory", "kim", "approve", "VUL"],
  ["advisory", "kim", "object", "VUL"],
  ["advisory", "kim", "approve", "ALR"],
  ["donors", "ana", "stats"],
  ["sam's room", "sam", "accept", "INC"],
  ["sam's room", "sam", "decline", "INC"],
  ["sam's room", "sam", "ack", "VUL"],
  ["sam's room", "sam", "fixed", "VUL"],
  ["sam's room", "sam", "need-time", "VUL"],
  ["sam's room", "sam", "approve", "ALR"],
  ["sam's room", "sam", "refuse", "ALR"],
  ["ticket", "maria", "status"],
  ["ticket", "sam", "status"],
  ["ticket", "maria", "assist"],
  ["ticket", "sam", "invite"],
  ["ticket", "maria", "tlp"],
  ["ticket", "sam", "tlp"],
  ["ticket", "sam", "alert"],
  ["ticket", "maria", "alert", "ALR"],
  ["ticket", "maria", "approve", "ALR"],
  ["ticket", "maria", "approve"],
  ["ticket", "maria", "refuse", "ALR"],
  ["ticket", "sam", "warn-partner", "INC"],
  ["ticket", "maria", "close"],
  ["report", "ana", "note"],
  ["report", "lee", "warn"],
  ["report", "ana", "expel"],
  ["report", "lee", "close"],
];

/** Numbers of any size and spelling (days, counts, list positions). */
const number = fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String);

/** ISO-8601 durations from nothing to far too long, and some that are not durations. */
const duration = fc.oneof(
  fc
    .tuple(fc.nat(), fc.constantFrom("W", "D", "TH", "TM", "TS", "Y", "M"))
    .map(([n, unit]) =>
      unit.startsWith("T") ? `PT${String(n)}${unit[1] ?? ""}` : `P${String(n)}${unit}`,
    ),
  fc.constantFrom("P", "PT", "P1.5W", "p3d", "P1DT", "-P1D"),
);

/** Months for statistics, also impossible ones. */
const month = fc
  .tuple(fc.integer({ min: -1, max: 99999 }), fc.integer({ min: -1, max: 99 }))
  .map(([y, m]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`);

/** Words the commands expect somewhere. */
const word = fc.constantFrom(
  "GREEN",
  "WHITE",
  "RED",
  "amber",
  "TLP:CLEAR",
  "AMBER+STRICT",
  "confirm",
  "keep",
  "remove",
  "edit",
  "withdraw",
  "|",
  "in-progress",
  "resolved",
  "waiting",
  "new",
  "yes",
);

const person = fc.oneof(
  fc.constantFrom(
    ...Object.values(PEOPLE),
    "@dsx:example.org",
    "@<b>:x",
    "securelab",
    "press-freedom",
    "rights-collective",
  ),
  longUserId,
);

const any = fc.oneof(number, duration, month, word, person, hostileText, hostileAnswer);

/** What follows a command (after its case id): a typed value first, then anything. */
const tail = fc.oneof(
  { weight: 1, arbitrary: fc.constant([]) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.oneof(number, duration, month, word, person), fc.array(any, { maxLength: 4 }))
      .map(([first, rest]) => [first, ...rest]),
  },
);

/** A fresh world every so many runs: commands close cases, and later runs need open ones. */
const RUNS_PER_WORLD = 30;
const RUNS = 30;

describe("fuzzing each command where it applies, by whom it is for (real modules, in-memory SQLite)", function () {
  this.timeout(120_000);
  let seeded: SeededCases | undefined;
  after(() => seeded?.world.stop());

  for (const [place, person, words, kind] of AIMED) {
    it(`${person} in ${place}: ${words}${kind ? ` ${kind}-…` : ""} and anything after it: an answer, all escaped`, async () => {
      let runs = 0;
      const step = fc.record({
        variant: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.nat({ max: CASE_ID_VARIANTS.length - 1 }) },
        ),
        tail,
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 3 }), async (script) => {
          if (seeded === undefined || runs++ % RUNS_PER_WORLD === 0) {
            await seeded?.world.stop();
            seeded = await seedCases();
          }
          const { world, ids } = seeded;
          const sender = PEOPLE[person];
          const room = {
            triage: world.triage,
            advisory: world.config.rooms.advisory,
            donors: world.config.rooms.donors,
            "sam's room": world.dm(sender),
            ticket: seeded.ticketRoom,
            report: seeded.reportRoom,
          }[place];
          for (const { variant, tail } of script) {
            const caseId =
              kind === undefined ? [] : [(CASE_ID_VARIANTS[variant] ?? String)(ids[kind])];
            const prefix = place === "sam's room" ? "" : "!dsx ";
            const jobs = await world.jobCount();
            const body = `${prefix}${[words, ...caseId, ...tail].join(" ")}`;
            const said = await world.say(room, sender, body);
            expectAllEscaped(said);
            // An answer now, or a job that answers once its network work is done (`expel`).
            if (said.length === 0) expect(await world.jobCount(), body).to.be.above(jobs);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});
