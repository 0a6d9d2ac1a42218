import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";

/** scrypt parameters, stored next to the salt so that a file keeps the cost it was made with. */
export interface KeyDerivation {
  /** log2 of scrypt's N. */
  cost: number;
  blockSize: number;
  parallelization: number;
}

export const defaultKeyDerivation: KeyDerivation = { cost: 15, blockSize: 8, parallelization: 1 };

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a sealed row does not authenticate: wrong key or altered bytes. */
export class RowAuthenticationError extends Error {
  constructor(what: string) {
    super(`${what} does not authenticate`);
    this.name = "RowAuthenticationError";
  }
}

/**
 * AES-256-GCM with a fresh random nonce per row. The associated data names the row (table and
 * position), so a row copied to another place in the file does not authenticate.
 */
export class RowCipher {
  private constructor(private readonly key: Buffer) {}

  static async derive(
    passphrase: string,
    salt: Buffer,
    derivation: KeyDerivation,
  ): Promise<RowCipher> {
    const N = 2 ** derivation.cost;
    const r = derivation.blockSize;
    const p = derivation.parallelization;
    const key = await new Promise<Buffer>((resolve, reject) => {
      // scrypt needs 128·N·r bytes; the default 32 MiB limit is just too small for N = 2^15.
      scrypt(passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r }, (error, derived) => {
        if (error) reject(error);
        else resolve(derived);
      });
    });
    return new RowCipher(key);
  }

  /** nonce ‖ ciphertext ‖ tag */
  seal(plaintext: Uint8Array, associatedData: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, associatedData: string): Buffer {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new RowAuthenticationError(associatedData);
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new RowAuthenticationError(associatedData);
    }
  }
}
