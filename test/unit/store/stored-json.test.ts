import { expect } from "chai";
import { z } from "zod";
import { CorruptStoredValue, jsonCodec } from "../../../src/store/stored-json.js";

describe("store/stored-json", () => {
  const codec = jsonCodec("a test column", z.object({ ids: z.array(z.string()) }));

  it("reads back what it wrote", () => {
    expect(codec.decode(codec.encode({ ids: ["@a:x", "@b:x"] }))).to.deep.equal({
      ids: ["@a:x", "@b:x"],
    });
  });

  it("refuses a value of another shape, naming the column and path but never the value", () => {
    const read = () => codec.decode('{"ids":[1,"secret-canary"]}');
    expect(read).to.throw(CorruptStoredValue, "a test column: not of the stored shape (at ids.0)");
    expect(read).to.not.throw(/secret-canary/);
  });

  it("refuses text that is not JSON", () => {
    expect(() => codec.decode("secret-canary{")).to.throw(CorruptStoredValue, /^a test column/);
  });
});
