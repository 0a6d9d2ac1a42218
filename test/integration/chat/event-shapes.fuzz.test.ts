import { expect } from "chai";
import fc from "fast-check";
import { PEOPLE } from "../../support/chat/chat-world.js";
import { expectAllEscaped } from "../../support/chat/escaping.js";
import { hostileAnswer, hostileText, hugeText } from "../../support/chat/hostile-text.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";

/** Values of any JSON type where a string is expected. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
  hugeText(100_000),
);

const msgtype = fc.constantFrom(
  "m.text",
  "m.notice",
  "m.emote",
  "m.image",
  "m.file",
  "m.location",
  "m.key.verification.request",
  "org.example.unknown",
  "",
  "M.TEXT",
);

/** Contents of `m.room.message` events of every wrong shape, and some right ones. */
const content: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  // body not a string, msgtype missing or of any type
  fc.record({ msgtype: fc.oneof(msgtype, anyValue), body: anyValue }, { requiredKeys: [] }),
  // formatted_body only, with markup in it
  fc.record({
    msgtype: fc.constant("m.text"),
    format: fc.constant("org.matrix.custom.html"),
    formatted_body: hostileAnswer,
  }),
  // an edit of an earlier message
  fc.record({
    msgtype: fc.constant("m.text"),
    body: hostileAnswer.map((t) => `* ${t}`),
    "m.new_content": fc.record({ msgtype: fc.constant("m.text"), body: hostileAnswer }),
    "m.relates_to": fc.record({
      rel_type: fc.constantFrom("m.replace", "m.thread", "m.annotation", "org.unknown"),
      event_id: fc.constantFrom("$earlier", "", "not an id"),
    }),
  }),
  // a reply or a thread message with a text that is a command
  fc.record({
    msgtype: fc.constant("m.text"),
    body: fc.constantFrom("help", "status", "!dsx help", "report incident"),
    "m.relates_to": fc.oneof(
      fc.constant({ "m.in_reply_to": { event_id: "$earlier" } }),
      fc.constant({ rel_type: "m.thread", event_id: "$root" }),
      anyValue,
    ),
  }),
  // huge content beside a short body
  fc.record({
    msgtype: fc.constant("m.text"),
    body: fc.constant("help"),
    padding: hugeText(100_000),
  }),
);

describe("fuzzing the shapes of events (real message handler, in-memory SQLite)", function () {
  this.timeout(120_000);
  let seeded: SeededCases;
  before(async () => {
    seeded = await seedCases();
  });
  after(() => seeded.world.stop());

  it("any content in any room from anyone: an answer or nothing, never a throw, all escaped", async () => {
    const rooms = () => [
      seeded.world.dm(PEOPLE.maria),
      seeded.world.dm(PEOPLE.stranger),
      seeded.world.triage,
      seeded.ticketRoom,
      seeded.reportRoom,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.values(PEOPLE)),
        fc.nat(),
        content,
        async (sender, room, c) => {
          const roomId = rooms()[room % rooms().length] ?? "";
          const queued = await seeded.world.event(roomId, sender, c);
          expectAllEscaped(queued);
          expect(queued.length).to.be.at.most(3);
        },
      ),
      { numRuns: 300 },
    );
  });
});
