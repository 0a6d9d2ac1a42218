import { expect } from "chai";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import {
  ATTACHMENT_MSGTYPES,
  readAttachment,
  type AttachmentProblemCode,
} from "../../../src/matrix/attachments.js";

const unpadded = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString("base64").replace(/=+$/, "");
const urlSafe = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");

const PROBLEM_CODES: readonly AttachmentProblemCode[] = [
  "not-an-attachment",
  "unencrypted",
  "missing-field",
  "wrong-type",
  "bad-url",
  "bad-key",
  "unsupported-algorithm",
  "unsupported-version",
  "bad-iv",
  "bad-hash",
  "bad-size",
];

interface Material {
  key: Buffer;
  iv: Buffer;
  sha256: Buffer;
}

function material(): Material {
  const iv = randomBytes(16);
  iv.fill(0, 8);
  return { key: randomBytes(32), iv, sha256: randomBytes(32) };
}

/** An `m.file` content as Element sends it. */
function elementFile(m: Material = material()): Record<string, unknown> {
  return {
    msgtype: "m.file",
    body: "evidence.pdf",
    filename: "evidence.pdf",
    info: { mimetype: "application/pdf", size: 1234 },
    file: {
      v: "v2",
      url: "mxc://example.org/FHyPlCeYUSFFxlgbQYZmoEoe",
      key: {
        kty: "oct",
        alg: "A256CTR",
        ext: true,
        key_ops: ["encrypt", "decrypt"],
        k: urlSafe(m.key),
      },
      iv: unpadded(m.iv),
      hashes: { sha256: unpadded(m.sha256) },
    },
  };
}

/** `content` with the value at `path` replaced (or removed when `value` is `undefined`). */
function changed(
  content: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(content);
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  let target: Record<string, unknown> = copy;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  if (value === undefined) Reflect.deleteProperty(target, last);
  else target[last] = value;
  return copy;
}

function expectProblem(content: unknown, code: AttachmentProblemCode, field: string): void {
  const reading = readAttachment(content);
  expect(reading.ok, JSON.stringify(content)).to.equal(false);
  if (reading.ok) return;
  expect(reading.problem.code, field).to.equal(code);
  expect(reading.problem.field).to.equal(field);
}

describe("matrix/attachments readAttachment", () => {
  it("reads an encrypted v2 file as Element sends it", () => {
    const m = material();
    const reading = readAttachment(elementFile(m));
    if (!reading.ok) expect.fail(JSON.stringify(reading.problem));
    const { attachment } = reading;
    expect(attachment.msgtype).to.equal("m.file");
    expect(attachment.name).to.equal("evidence.pdf");
    expect(attachment.mimetype).to.equal("application/pdf");
    expect(attachment.declaredSize).to.equal(1234);
    expect(attachment.file.url).to.equal("mxc://example.org/FHyPlCeYUSFFxlgbQYZmoEoe");
    expect(attachment.file.serverName).to.equal("example.org");
    expect(attachment.file.mediaId).to.equal("FHyPlCeYUSFFxlgbQYZmoEoe");
    expect(Buffer.from(attachment.file.key).equals(m.key)).to.equal(true);
    expect(Buffer.from(attachment.file.iv).equals(m.iv)).to.equal(true);
    expect(Buffer.from(attachment.file.sha256).equals(m.sha256)).to.equal(true);
  });

  it("reads images, audio and video, and takes the body as the name without a filename", () => {
    for (const msgtype of ATTACHMENT_MSGTYPES) {
      const content = changed(changed(elementFile(), "msgtype", msgtype), "filename", undefined);
      const reading = readAttachment(changed(content, "info", undefined));
      if (!reading.ok) expect.fail(`${msgtype}: ${JSON.stringify(reading.problem)}`);
      expect(reading.attachment.msgtype).to.equal(msgtype);
      expect(reading.attachment.name).to.equal("evidence.pdf");
      expect(reading.attachment.mimetype).to.equal(undefined);
      expect(reading.attachment.declaredSize).to.equal(undefined);
    }
    const captioned = changed(elementFile(), "body", "the phishing mail I got");
    const reading = readAttachment(captioned);
    expect(reading.ok && reading.attachment.name).to.equal("evidence.pdf");
  });

  it("accepts padded base64 and server names with ports or IP literals", () => {
    const m = material();
    let content = changed(elementFile(m), "file.iv", m.iv.toString("base64"));
    content = changed(content, "file.hashes.sha256", m.sha256.toString("base64"));
    content = changed(content, "file.key.k", m.key.toString("base64url") + "=");
    for (const url of ["mxc://localhost:8448/a_b-C", "mxc://[::1]:8008/x", "mxc://1.2.3.4/y"]) {
      const reading = readAttachment(changed(content, "file.url", url));
      if (!reading.ok) expect.fail(`${url}: ${JSON.stringify(reading.problem)}`);
    }
  });

  it("tells an unencrypted upload apart from a malformed one", () => {
    const plain = changed(
      changed(elementFile(), "file", undefined),
      "url",
      "mxc://example.org/abc",
    );
    expectProblem(plain, "unencrypted", "url");
    expectProblem(changed(plain, "url", "https://example.org/abc"), "bad-url", "url");
    expectProblem(changed(plain, "url", undefined), "missing-field", "file");
  });

  it("refuses what is not an attachment message", () => {
    for (const content of [null, undefined, 3, "m.file", [], [elementFile()]]) {
      expectProblem(content, "not-an-attachment", "");
    }
    for (const msgtype of ["m.text", "m.notice", "m.location", undefined, 7, "M.FILE"]) {
      expectProblem(changed(elementFile(), "msgtype", msgtype), "not-an-attachment", "msgtype");
    }
  });

  it("names each missing field", () => {
    for (const field of [
      "body",
      "file.v",
      "file.url",
      "file.key",
      "file.key.kty",
      "file.key.alg",
      "file.key.k",
      "file.key.key_ops",
      "file.key.ext",
      "file.iv",
      "file.hashes",
      "file.hashes.sha256",
    ]) {
      expectProblem(changed(elementFile(), field, undefined), "missing-field", field);
    }
  });

  it("names each field of the wrong type", () => {
    const cases: [string, unknown][] = [
      ["body", 12],
      ["filename", null],
      ["info", "application/pdf"],
      ["info.mimetype", 5],
      ["info.size", "1234"],
      ["file", "mxc://example.org/abc"],
      ["file.v", 2],
      ["file.url", { mxc: true }],
      ["file.key", "a key"],
      ["file.key.k", 32],
      ["file.key.key_ops", "encrypt decrypt"],
      ["file.key.key_ops", ["encrypt", 1]],
      ["file.key.ext", "true"],
      ["file.iv", []],
      ["file.hashes", ["sha256"]],
      ["file.hashes.sha256", null],
    ];
    for (const [field, value] of cases) {
      expectProblem(changed(elementFile(), field, value), "wrong-type", field);
    }
  });

  it("refuses keys that are not 32-byte A256CTR JWKs", () => {
    expectProblem(
      changed(elementFile(), "file.key.alg", "A128CTR"),
      "unsupported-algorithm",
      "file.key.alg",
    );
    expectProblem(
      changed(elementFile(), "file.key.alg", "A256GCM"),
      "unsupported-algorithm",
      "file.key.alg",
    );
    expectProblem(changed(elementFile(), "file.key.kty", "RSA"), "bad-key", "file.key.kty");
    expectProblem(changed(elementFile(), "file.key.ext", false), "bad-key", "file.key.ext");
    expectProblem(
      changed(elementFile(), "file.key.key_ops", ["encrypt"]),
      "bad-key",
      "file.key.key_ops",
    );
    for (const k of [
      urlSafe(randomBytes(16)),
      urlSafe(randomBytes(33)),
      "",
      "a+b/" + "A".repeat(39),
      "!".repeat(43),
    ]) {
      expectProblem(changed(elementFile(), "file.key.k", k), "bad-key", "file.key.k");
    }
  });

  it("refuses versions other than v2", () => {
    for (const v of ["v1", "V2", "v3", ""]) {
      expectProblem(changed(elementFile(), "file.v", v), "unsupported-version", "file.v");
    }
  });

  it("refuses IVs that are not 16 bytes and hashes that are not 32", () => {
    for (const iv of [
      unpadded(randomBytes(8)),
      unpadded(randomBytes(17)),
      "",
      "not base64!",
      "A",
    ]) {
      expectProblem(changed(elementFile(), "file.iv", iv), "bad-iv", "file.iv");
    }
    for (const hash of [unpadded(randomBytes(20)), "", "%%%%", unpadded(randomBytes(32)) + "==="]) {
      expectProblem(
        changed(elementFile(), "file.hashes.sha256", hash),
        "bad-hash",
        "file.hashes.sha256",
      );
    }
  });

  it("refuses mxc URLs that are not mxc://server/id", () => {
    for (const url of [
      "https://example.org/abc",
      "mxc://example.org",
      "mxc://example.org/",
      "mxc:///abc",
      "mxc://example.org/abc/def",
      "mxc://exa mple.org/abc",
      "mxc://example.org/ab%2Fc",
      "mxc://example.org/abc?x=1",
      " mxc://example.org/abc",
      "MXC://example.org/abc",
    ]) {
      expectProblem(changed(elementFile(), "file.url", url), "bad-url", "file.url");
    }
  });

  it("refuses declared sizes that are not a whole number of bytes", () => {
    for (const size of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expectProblem(changed(elementFile(), "info.size", size), "bad-size", "info.size");
    }
  });

  it("never throws on arbitrary JSON, and answers with a known problem", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reading = readAttachment(value);
        if (!reading.ok) expect(PROBLEM_CODES).to.include(reading.problem.code);
      }),
    );
  });

  it("never throws when any field of a valid file is replaced by arbitrary JSON", () => {
    const fields = [
      "msgtype",
      "body",
      "filename",
      "info",
      "info.size",
      "file",
      "file.v",
      "file.url",
      "file.key",
      "file.key.k",
      "file.key.key_ops",
      "file.iv",
      "file.hashes",
      "file.hashes.sha256",
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const reading = readAttachment(changed(elementFile(), field, value));
        if (!reading.ok) expect(PROBLEM_CODES).to.include(reading.problem.code);
      }),
    );
  });

  it("reads back any key, IV and hash of the right sizes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (key, iv, sha256) => {
          const reading = readAttachment(
            elementFile({
              key: Buffer.from(key),
              iv: Buffer.from(iv),
              sha256: Buffer.from(sha256),
            }),
          );
          if (!reading.ok) expect.fail(JSON.stringify(reading.problem));
          expect([...reading.attachment.file.key]).to.deep.equal([...key]);
          expect([...reading.attachment.file.iv]).to.deep.equal([...iv]);
          expect([...reading.attachment.file.sha256]).to.deep.equal([...sha256]);
        },
      ),
    );
  });
});
