import { expect } from "chai";
import { Writable } from "node:stream";
import { createLogger, describeError, type LogFields } from "../../../src/log/log.js";

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("ops/log", () => {
  it("writes JSON lines with the message and the allowed fields", () => {
    const out = capture();
    const log = createLogger("debug", out.stream).child({ component: "inbox" });
    log.info("event handled", { roomId: "!r:x", eventId: "$e", ms: 12 });
    log.debug("detail", { count: 2 });
    const [first, second] = out.lines();
    expect(first).to.include({
      msg: "event handled",
      roomId: "!r:x",
      eventId: "$e",
      ms: 12,
      component: "inbox",
    });
    expect(first).to.have.property("time").that.is.a("string");
    expect(second).to.include({ msg: "detail", count: 2 });
  });

  it("respects the level", () => {
    const out = capture();
    const log = createLogger("warn", out.stream);
    log.info("hidden");
    log.warn("shown");
    expect(out.lines().map((l) => l["msg"])).to.deep.equal(["shown"]);
  });

  it("redacts bodies even when an object is smuggled past the field types", () => {
    const out = capture();
    const log = createLogger("info", out.stream);
    const content = {
      body: "CANARY-7f3a",
      formatted_body: "<b>CANARY-7f3a</b>",
      password: "hunter2",
    };
    log.info("smuggled", { roomId: content } as unknown as LogFields);
    log.info("as an error", { error: { content } });
    const text = JSON.stringify(out.lines());
    expect(text).to.not.contain("CANARY-7f3a");
    expect(text).to.not.contain("hunter2");
    expect(out.lines()).to.have.length(2);
  });

  it("describes errors by kind, code and a bounded message", () => {
    const error = Object.assign(new Error("M_FORBIDDEN: not in room".padEnd(2000, ".")), {
      errcode: "M_FORBIDDEN",
      httpStatus: 403,
    });
    const described = describeError(error);
    expect(described).to.include({ name: "Error", errcode: "M_FORBIDDEN", httpStatus: 403 });
    expect((described["message"] as string).length).to.equal(500);
    expect(describeError("a string")).to.deep.equal({ kind: "string" });
  });
});
