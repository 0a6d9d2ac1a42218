import { webcrypto } from "node:crypto";
import type { MatrixClient } from "matrix-js-sdk";

const unpaddedBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes).toString("base64").replace(/=+$/, "");
const fromBase64 = (text: string): Buffer => Buffer.from(text, "base64");

/** What Element puts in an `m.file` event for an encrypted upload. */
export interface EncryptedFileContent {
  readonly msgtype: string;
  readonly body: string;
  readonly info?: { readonly mimetype?: string; readonly size?: number };
  readonly file: {
    readonly url: string;
    readonly key: { readonly k: string };
    readonly iv: string;
    readonly hashes: { readonly sha256: string };
    readonly v: string;
  };
}

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

/** Encrypts and uploads a file as Element does; returns the `m.file` content announcing it. */
export async function uploadEncryptedFile(
  client: MatrixClient,
  bytes: Uint8Array,
  name: string,
  mimetype: string,
): Promise<EncryptedFileContent> {
  const encrypted = await encryptLikeElement(bytes);
  const { content_uri: url } = await client.uploadContent(Buffer.from(encrypted.data), {
    type: "application/octet-stream",
    includeFilename: false,
  });
  return {
    msgtype: "m.file",
    body: name,
    info: { mimetype, size: bytes.length },
    file: { ...encrypted.info, url },
  };
}

/**
 * Opens an encrypted file as Element does: downloads the ciphertext (through authenticated
 * media where the server advertises v1.11, as Element does), checks its SHA-256, and decrypts
 * it with the key of the event.
 */
export async function openEncryptedFile(
  client: MatrixClient,
  content: EncryptedFileContent,
): Promise<Buffer> {
  const match = /^mxc:\/\/([^/]+)\/(.+)$/.exec(content.file.url);
  if (!match) throw new Error(`not an mxc URL: ${content.file.url}`);
  const path = (await client.isVersionSupported("v1.11"))
    ? "_matrix/client/v1/media/download"
    : "_matrix/media/v3/download";
  const url = `${client.getHomeserverUrl()}/${path}/${match[1] ?? ""}/${match[2] ?? ""}`;
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${client.getAccessToken() ?? ""}` },
  });
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const ciphertext = new Uint8Array(await response.arrayBuffer());
  const sha256 = new Uint8Array(await webcrypto.subtle.digest("SHA-256", ciphertext));
  if (unpaddedBase64(sha256) !== content.file.hashes.sha256) throw new Error("hash mismatch");
  const key = await webcrypto.subtle.importKey(
    "jwk",
    { kty: "oct", k: content.file.key.k, alg: "A256CTR", ext: true },
    { name: "AES-CTR" },
    false,
    ["decrypt"],
  );
  return Buffer.from(
    await webcrypto.subtle.decrypt(
      { name: "AES-CTR", counter: fromBase64(content.file.iv), length: 64 },
      key,
      ciphertext,
    ),
  );
}
