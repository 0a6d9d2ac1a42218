import { expect } from "chai";
import fc from "fast-check";
import { decryptAttachment, hasSha256 } from "../../../src/matrix/attachment-cipher.js";
import { attachmentContent, encryptForUpload } from "../../../src/matrix/attachment-upload.js";
import { readAttachment } from "../../../src/matrix/attachments.js";
import { decodeBase64, decodeBase64Url } from "../../../src/matrix/unpadded-base64.js";

describe("matrix/attachment-upload", () => {
  it("property: what it encrypts, the reading side checks and decrypts back", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (plaintext) => {
        const upload = await encryptForUpload(plaintext);
        const key = decodeBase64Url(upload.file.key.k);
        const iv = decodeBase64(upload.file.iv);
        const sha256 = decodeBase64(upload.file.hashes.sha256);
        if (!key || !iv || !sha256) return false;
        expect(iv.subarray(8)).to.deep.equal(new Uint8Array(8)); // the counter half starts at 0
        expect(hasSha256(upload.ciphertext, sha256)).to.equal(true);
        expect(Buffer.from(decryptAttachment(upload.ciphertext, key, iv))).to.deep.equal(
          Buffer.from(plaintext),
        );
        return !upload.file.iv.endsWith("=") && !upload.file.key.k.includes("=");
      }),
      { numRuns: 50 },
    );
  });

  it("announces the upload in content the bot's own reader (and Element's) accepts", async () => {
    const uploaded: Buffer[] = [];
    const content = await attachmentContent(
      {
        uploadContent: (body: unknown) => {
          uploaded.push(body as Buffer);
          return Promise.resolve({ content_uri: "mxc://example.org/abc123" });
        },
      },
      { name: "photo.png", mimetype: "image/png", bytes: Buffer.from("not really a png") },
      { "org.dsx.tlp": "AMBER", "org.dsx.case": "INC-2026-0001" },
    );
    expect(content["msgtype"]).to.equal("m.image");
    expect(content["org.dsx.tlp"]).to.equal("AMBER");
    expect(content["url"], "never the unencrypted form").to.equal(undefined);
    const reading = readAttachment(content);
    if (!reading.ok) expect.fail(`not readable: ${reading.problem.code}`);
    expect(reading.attachment.name).to.equal("photo.png");
    expect(reading.attachment.file.url).to.equal("mxc://example.org/abc123");
    expect(uploaded[0]?.includes(Buffer.from("not really a png"))).to.equal(false);
  });
});
