import { expect } from "chai";
import { sdkLogger } from "../../../src/matrix/sdk-logger.js";
import type { Logger } from "../../../src/log/log.js";

describe("matrix/sdk-logger", () => {
  const lines: string[] = [];
  const record = (message: string) => {
    lines.push(message);
  };
  const log = { warn: record, error: record, info: record, debug: record } as unknown as Logger;

  beforeEach(() => {
    lines.length = 0;
  });

  it("passes on the SDK's warnings and errors, cut short, with no message bodies", () => {
    const sdk = sdkLogger(log);
    sdk.warn("Failed to decrypt", { body: "secret" });
    sdk.error("x".repeat(500));
    sdk.info("chatter");
    expect(lines).to.deep.equal([
      "matrix-js-sdk: Failed to decrypt",
      `matrix-js-sdk: ${"x".repeat(160)}`,
    ]);
  });

  it("drops the push-rule warnings an older homeserver causes at every start", () => {
    const sdk = sdkLogger(log);
    sdk.warn("Adding default global override push rule .m.rule.is_room_mention");
    sdk.warn("Missing default global underride push rule .org.matrix.msc3914.rule.room.call");
    sdk.warn("Adding default global override push rule");
    expect(lines).to.deep.equal(["matrix-js-sdk: Adding default global override push rule"]);
  });
});
