import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts sensitive column values with AES-256-GCM under `dataKey`: a fresh random nonce per
 * value, and the column and row bound as associated data, so that a value copied into another
 * row or column fails to decrypt instead of being shown in the wrong place.
 */
export class FieldCipher {
  /** A key of its own for keyed hashes, derived from the data key. */
  private readonly hashKey: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the data key must be 32 bytes");
    this.hashKey = createHmac("sha256", key).update("dsx-bot keyed hash").digest();
  }

  /** `context` names the place, e.g. `outgoing_message.content:<txnId>`. */
  encrypt(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const sealed = Buffer.concat([
      cipher.update(plaintext, "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${VERSION}:${Buffer.concat([nonce, sealed]).toString("base64")}`;
  }

  /**
   * A keyed hash (HMAC-SHA-256) of a value in a context: equal values compare equal, and without
   * the data key the hash tells nothing (not even by trying every user ID).
   */
  hash(value: string, context: string): string {
    return createHmac("sha256", this.hashKey).update(`${context}\u0000${value}`).digest("hex");
  }

  /** Throws when the value was altered, moved to another place, or sealed with another key. */
  decrypt(value: string, context: string): string {
    const [version, payload] = value.split(":", 2);
    if (version !== VERSION || payload === undefined)
      throw new Error("not an encrypted field value");
    const bytes = Buffer.from(payload, "base64");
    if (bytes.length < NONCE_BYTES + TAG_BYTES)
      throw new Error("encrypted field value is truncated");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  }
}
