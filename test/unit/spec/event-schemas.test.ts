import { expect } from "chai";
import {
  loadClientServerSpec,
  matrixSpecUnavailableReason,
  type ClientServerSpec,
} from "../../support/spec/index.js";

/** 79 event schema files when written; fewer means some were skipped. */
const MIN_EVENT_SCHEMAS = 75;

/**
 * Spec examples that genuinely do not validate, and why. The test also asserts they still
 * fail, so the list cannot go stale silently.
 */
const KNOWN_BAD_EVENT_EXAMPLES: Readonly<Record<string, string>> = {
  "m.key.verification.start.yaml":
    "the generic example says method m.sas.v1 but omits what the m.key.verification.start$m.sas.v1 schema requires (key_agreement_protocols, hashes, message_authentication_codes, short_authentication_string)",
};

/** Example files that are not events: lists of stripped state that other examples embed. */
const NOT_EVENTS = new Set(["invite_room_state.json", "knock_room_state.json"]);

describe("the Matrix event schemas", function () {
  this.timeout(60_000);
  let spec: ClientServerSpec;

  before(async function () {
    const unavailable = matrixSpecUnavailableReason();
    if (unavailable !== undefined) {
      console.warn(`SKIPPED: ${unavailable}`);
      this.skip();
    }
    spec = await loadClientServerSpec();
  });

  it("compiles every event schema", () => {
    expect(spec.eventSchemas.schemaCount).to.be.at.least(MIN_EVENT_SCHEMAS);
    expect(spec.eventSchemas.types).to.include.members([
      "m.room.message",
      "m.room.member",
      "m.room.create",
      "m.room.power_levels",
      "m.typing",
      "m.receipt",
    ]);
  });

  it("accepts the spec's own event examples, except the listed ones", () => {
    const failing: Record<string, readonly string[]> = {};
    const withoutSchema: string[] = [];
    let checked = 0;
    for (const example of spec.eventSchemas.examples()) {
      if (NOT_EVENTS.has(example.name)) continue;
      const check = spec.validateEvent(example.value);
      if (check === undefined) {
        withoutSchema.push(example.name);
        continue;
      }
      checked += 1;
      if (check.errors.length > 0) failing[example.name] = check.errors;
    }
    expect(checked).to.be.at.least(MIN_EVENT_SCHEMAS);
    expect(withoutSchema).to.deep.equal([]);
    expect(Object.keys(failing).sort()).to.deep.equal(Object.keys(KNOWN_BAD_EVENT_EXAMPLES).sort());
  });

  const message = {
    type: "m.room.message",
    event_id: "$e1",
    sender: "@alice:localhost",
    origin_server_ts: 1,
    content: { msgtype: "m.text", body: "hello" },
  };

  it("asks for room_id except where the event came through /sync", () => {
    expect(spec.validateEvent(message)?.errors).to.deep.equal([
      "[m.room.message.yaml] (root): must have required property 'room_id'",
      "[m.room.message$m.text.yaml] (root): must have required property 'room_id'",
    ]);
    expect(spec.validateEvent(message, { roomId: "!r:localhost" })).to.deep.equal({
      schemas: ["m.room.message.yaml", "m.room.message$m.text.yaml"],
      errors: [],
    });
  });

  it("applies the subtype schema the content selects", () => {
    const image = {
      ...message,
      content: { msgtype: "m.image", body: "chart.png", url: "https://example.org/chart.png" },
    };
    const check = spec.validateEvent(image, { roomId: "!r:localhost" });
    expect(check?.schemas).to.deep.equal(["m.room.message.yaml", "m.room.message$m.image.yaml"]);
    expect(check?.errors).to.include(
      '[m.room.message$m.image.yaml] /content/url: must match format "mx-mxc-uri"',
    );
    expect(check?.errors.every((error) => error.startsWith("[m.room.message$m.image.yaml]"))).to.be
      .true;
  });

  it("checks only the envelope of a redacted event", () => {
    const redacted = {
      ...message,
      content: {},
      unsigned: { redacted_because: { type: "m.room.redaction" } },
    };
    expect(spec.validateEvent(redacted, { roomId: "!r:localhost" })).to.deep.equal({
      schemas: ["core-event-schema/room_event.yaml"],
      errors: [],
    });
  });

  it("returns undefined for event types the spec has no schema for", () => {
    expect(spec.validateEvent({ type: "org.example.custom", content: {} })).to.equal(undefined);
  });
});
