import { expect } from "chai";
import fc from "fast-check";
import { PathTemplate } from "../../support/spec/path-template.js";

describe("PathTemplate", () => {
  const messages = new PathTemplate("/_matrix/client/v3/rooms/{roomId}/messages");

  it("decodes an encoded room ID from its single segment", () => {
    expect(messages.match("/_matrix/client/v3/rooms/!abc%3Alocalhost/messages")).to.deep.equal({
      roomId: "!abc:localhost",
    });
    expect(messages.match("/_matrix/client/v3/rooms/!abc:localhost/messages")).to.deep.equal({
      roomId: "!abc:localhost",
    });
  });

  it("never lets a parameter span two segments or be empty", () => {
    expect(messages.match("/_matrix/client/v3/rooms/!a/b/messages")).to.equal(undefined);
    expect(messages.match("/_matrix/client/v3/rooms//messages")).to.equal(undefined);
    expect(messages.match("/_matrix/client/v3/rooms/!a/messages/")).to.equal(undefined);
    expect(messages.match("/_matrix/client/v1/rooms/!a/messages")).to.equal(undefined);
  });

  it("rejects a malformed percent-encoding instead of throwing", () => {
    expect(messages.match("/_matrix/client/v3/rooms/%E0%A4%A/messages")).to.equal(undefined);
  });

  it("round-trips any parameter value through encodeURIComponent", () => {
    const event = new PathTemplate("/rooms/{roomId}/event/{eventId}");
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (room, id) => {
        const path = `/rooms/${encodeURIComponent(room)}/event/${encodeURIComponent(id)}`;
        expect(event.match(path)).to.deep.equal({ roomId: room, eventId: id });
      }),
    );
  });

  it("lets a final parameter documented as optional be empty, with or without its slash", () => {
    const state = new PathTemplate(
      "/rooms/{roomId}/state/{eventType}/{stateKey}",
      new Set(["stateKey"]),
    );
    const expected = { roomId: "!r", eventType: "m.room.name", stateKey: "" };
    expect(state.match("/rooms/!r/state/m.room.name")).to.deep.equal(expected);
    expect(state.match("/rooms/!r/state/m.room.name/")).to.deep.equal(expected);
    expect(state.match("/rooms/!r/state/m.room.member/%40a%3Ab")).to.deep.equal({
      ...expected,
      eventType: "m.room.member",
      stateKey: "@a:b",
    });
    expect(state.match("/rooms/!r/state")).to.equal(undefined);
    const strict = new PathTemplate("/rooms/{roomId}/state/{eventType}/{stateKey}");
    expect(strict.match("/rooms/!r/state/m.room.name")).to.equal(undefined);
  });

  it("counts literal segments for choosing the most specific template", () => {
    expect(messages.literalCount).to.equal(5);
  });
});
