import { expect } from "chai";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { FieldCipher } from "../../../src/store/field-cipher.js";

describe("store/field-cipher", () => {
  const cipher = new FieldCipher(randomBytes(32));

  it("round-trips any text and never shows it", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string({ maxLength: 40 }),
        (text, context) => {
          const sealed = cipher.encrypt(text, context);
          if (text.length >= 4) expect(sealed).to.not.contain(text);
          expect(cipher.decrypt(sealed, context)).to.equal(text);
        },
      ),
    );
  });

  it("uses a fresh nonce for every value", () => {
    expect(cipher.encrypt("same", "c")).to.not.equal(cipher.encrypt("same", "c"));
  });

  it("refuses a value moved to another column or row", () => {
    const sealed = cipher.encrypt("a report", "conversation.answers:!room:1");
    expect(() => cipher.decrypt(sealed, "conversation.answers:!room:2")).to.throw();
  });

  it("refuses an altered value, another key, and what is not a sealed value", () => {
    const sealed = cipher.encrypt("a report", "c");
    const bytes = Buffer.from(sealed.slice(3), "base64");
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(() => cipher.decrypt(`v1:${bytes.toString("base64")}`, "c")).to.throw();
    expect(() => new FieldCipher(randomBytes(32)).decrypt(sealed, "c")).to.throw();
    expect(() => cipher.decrypt("plain text", "c")).to.throw(/not an encrypted/);
    expect(() => cipher.decrypt("v1:AAAA", "c")).to.throw(/truncated/);
    expect(() => new FieldCipher(randomBytes(16))).to.throw(/32 bytes/);
  });
});
