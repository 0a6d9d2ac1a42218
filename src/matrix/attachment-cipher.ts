import { createDecipheriv, createHash } from "node:crypto";

const COUNTER_SPACE = 2n ** 64n;
const BLOCK_BYTES = 16n;

/** Whether `ciphertext` has the SHA-256 the sender declared (checked before decrypting). */
export function hasSha256(ciphertext: Uint8Array, sha256: Uint8Array): boolean {
  return createHash("sha256").update(ciphertext).digest().equals(sha256);
}

/**
 * Decrypts an attachment (AES-256-CTR). Senders encrypt with WebCrypto's AES-CTR and a 64-bit
 * counter (Element: the IV's last 8 bytes), which wraps within those 8 bytes, whereas Node's
 * counter carries into the first 8: for an IV close to the wrap the stream is decrypted in two
 * parts, so that any IV a sender chose decrypts as WebCrypto encrypted it.
 */
export function decryptAttachment(
  ciphertext: Uint8Array,
  key: Uint8Array,
  iv: Uint8Array,
): Uint8Array {
  const counter = Buffer.from(iv).readBigUInt64BE(8);
  const bytesBeforeWrap = (COUNTER_SPACE - counter) * BLOCK_BYTES;
  if (BigInt(ciphertext.length) <= bytesBeforeWrap) return aesCtr(key, iv, ciphertext);
  const split = Number(bytesBeforeWrap);
  const wrapped = Buffer.from(iv).fill(0, 8);
  return Buffer.concat([
    aesCtr(key, iv, ciphertext.subarray(0, split)),
    aesCtr(key, wrapped, ciphertext.subarray(split)),
  ]);
}

function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  const decipher = createDecipheriv("aes-256-ctr", key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}
