import { webcrypto } from "node:crypto";

/** An encrypted upload as Element makes it: the ciphertext and its `EncryptedFile` (sans url). */
export interface ElementEncryptedFile {
  readonly data: Uint8Array;
  readonly info: {
    readonly v: "v2";
    readonly key: {
      readonly kty: "oct";
      readonly alg: "A256CTR";
      readonly ext: true;
      readonly key_ops: readonly ["encrypt", "decrypt"];
      readonly k: string;
    };
    readonly iv: string;
    readonly hashes: { readonly sha256: string };
  };
}

const unpaddedBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/**
 * Encrypts a file the way Element's `matrix-encrypt-attachment` does, with WebCrypto: a random
 * AES-256 key exported as a JWK, a random IV whose last 8 bytes (the 64-bit counter) are zero,
 * AES-CTR, and the SHA-256 of the ciphertext in unpadded base64.
 */
export async function encryptLikeElement(plaintext: Uint8Array): Promise<ElementEncryptedFile> {
  const iv = webcrypto.getRandomValues(new Uint8Array(16));
  iv.fill(0, 8);
  const key = await webcrypto.subtle.generateKey({ name: "AES-CTR", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ]);
  const jwk = await webcrypto.subtle.exportKey("jwk", key);
  const ciphertext = new Uint8Array(
    await webcrypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, plaintext),
  );
  const sha256 = new Uint8Array(await webcrypto.subtle.digest("SHA-256", ciphertext));
  if (jwk.k === undefined) throw new Error("WebCrypto exported no key");
  return {
    data: ciphertext,
    info: {
      v: "v2",
      key: { kty: "oct", alg: "A256CTR", ext: true, key_ops: ["encrypt", "decrypt"], k: jwk.k },
      iv: unpaddedBase64(iv),
      hashes: { sha256: unpaddedBase64(sha256) },
    },
  };
}
