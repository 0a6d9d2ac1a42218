import { webcrypto } from "node:crypto";
import type { MatrixClient } from "matrix-js-sdk";
import type { StoredAttachment } from "../store/attachment-store.js";

const unpaddedBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** An encrypted upload and the `EncryptedFile` that opens it (without its url yet). */
export interface EncryptedUpload {
  readonly ciphertext: Uint8Array;
  readonly file: {
    readonly v: "v2";
    readonly key: {
      readonly kty: "oct";
      readonly key_ops: readonly ["encrypt", "decrypt"];
      readonly alg: "A256CTR";
      readonly k: string;
      readonly ext: true;
    };
    readonly iv: string;
    readonly hashes: { readonly sha256: string };
  };
}

/**
 * Encrypts a file for an encrypted room as the spec's attachment protocol says: a fresh AES-256
 * key (a JWK), AES-CTR with a random IV whose 64-bit counter half is zero (so it cannot wrap),
 * and the SHA-256 of the ciphertext, all in unpadded base64.
 */
export async function encryptForUpload(plaintext: Uint8Array): Promise<EncryptedUpload> {
  const iv = webcrypto.getRandomValues(new Uint8Array(16));
  iv.fill(0, 8);
  const key = await webcrypto.subtle.generateKey({ name: "AES-CTR", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ]);
  const jwk = await webcrypto.subtle.exportKey("jwk", key);
  if (jwk.k === undefined) throw new Error("WebCrypto exported no key");
  const ciphertext = new Uint8Array(
    await webcrypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, plaintext),
  );
  const sha256 = new Uint8Array(await webcrypto.subtle.digest("SHA-256", ciphertext));
  return {
    ciphertext,
    file: {
      v: "v2",
      key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: jwk.k, ext: true },
      iv: unpaddedBase64(iv),
      hashes: { sha256: unpaddedBase64(sha256) },
    },
  };
}

/**
 * Uploads an attachment encrypted and returns the content of the message that carries it
 * (`m.image` for images, else `m.file`), with the caller's fields (`org.dsx.*`) added. The
 * media repository sees only ciphertext.
 */
export async function attachmentContent(
  client: Pick<MatrixClient, "uploadContent">,
  attachment: Pick<StoredAttachment, "name" | "mimetype" | "bytes">,
  extra: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const upload = await encryptForUpload(attachment.bytes);
  const { content_uri: url } = await client.uploadContent(Buffer.from(upload.ciphertext), {
    type: "application/octet-stream",
    includeFilename: false,
  });
  return {
    ...extra,
    msgtype: attachment.mimetype.startsWith("image/") ? "m.image" : "m.file",
    body: attachment.name,
    filename: attachment.name,
    info: { mimetype: attachment.mimetype, size: attachment.bytes.length },
    file: { ...upload.file, url },
  };
}
