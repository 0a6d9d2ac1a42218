import { expect } from "chai";
import fc from "fast-check";
import { createHash, webcrypto } from "node:crypto";
import { decryptAttachment, hasSha256 } from "../../../src/matrix/attachment-cipher.js";
import { decodeBase64, decodeBase64Url } from "../../../src/matrix/unpadded-base64.js";

/** Encrypts as Element does: WebCrypto AES-CTR with a 64-bit counter. */
async function webCryptoEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const cryptoKey = await webcrypto.subtle.importKey("raw", key, "AES-CTR", false, ["encrypt"]);
  const ciphertext = await webcrypto.subtle.encrypt(
    { name: "AES-CTR", counter: iv, length: 64 },
    cryptoKey,
    plaintext,
  );
  return new Uint8Array(ciphertext);
}

describe("matrix/attachment-cipher", () => {
  it("decrypts what WebCrypto encrypted, for any IV, also where the 64-bit counter wraps", async () => {
    const nearWrap = fc
      .tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 4 }))
      .map(([high, blocksLeft]) => {
        const iv = Buffer.alloc(16);
        iv.set(high, 0);
        iv.writeBigUInt64BE(2n ** 64n - BigInt(blocksLeft), 8);
        return new Uint8Array(iv);
      });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), nearWrap),
        fc.uint8Array({ maxLength: 200 }),
        async (key, iv, plaintext) => {
          const ciphertext = await webCryptoEncrypt(key, iv, plaintext);
          const decrypted = decryptAttachment(ciphertext, key, iv);
          expect(Buffer.from(decrypted).equals(Buffer.from(plaintext))).to.equal(true);
        },
      ),
    );
  });

  it("checks the SHA-256 of the ciphertext", () => {
    const data = Buffer.from("ciphertext");
    const sha256 = createHash("sha256").update(data).digest();
    expect(hasSha256(data, sha256)).to.equal(true);
    expect(hasSha256(Buffer.from("ciphertexT"), sha256)).to.equal(false);
    expect(hasSha256(data, sha256.subarray(0, 31))).to.equal(false);
  });
});

describe("matrix/unpadded-base64", () => {
  it("decodes any bytes written padded or unpadded", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const padded = Buffer.from(bytes).toString("base64");
        const unpadded = padded.replace(/=+$/, "");
        const urlSafe = Buffer.from(bytes).toString("base64url");
        for (const text of [padded, unpadded]) {
          expect([...(decodeBase64(text) ?? [-1])]).to.deep.equal([...bytes]);
        }
        expect([...(decodeBase64Url(urlSafe) ?? [-1])]).to.deep.equal([...bytes]);
      }),
    );
  });

  it("refuses what is not base64 instead of skipping characters", () => {
    for (const text of ["a", "ab c", "ab\n", "abc===", "ab=c", "a=", "ab-_"]) {
      expect(decodeBase64(text), text).to.equal(undefined);
    }
    for (const text of ["ab+/", "a", "abc==", "ab.d"]) {
      expect(decodeBase64Url(text), text).to.equal(undefined);
    }
  });
});
