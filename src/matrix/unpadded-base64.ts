// Matrix writes base64 unpadded and asks readers to accept padding too (appendices, "Unpadded
// Base64"). Node's decoder skips characters it does not know, so the text is checked first.
const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Decodes standard base64, padded or not; `undefined` when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  return decode(text, STANDARD, "base64");
}

/** Decodes URL-safe base64 (as in a JWK's `k`), padded or not; `undefined` otherwise. */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  return decode(text, URL_SAFE, "base64url");
}

function decode(
  text: string,
  alphabet: RegExp,
  encoding: "base64" | "base64url",
): Uint8Array | undefined {
  const padding = /=*$/.exec(text)?.[0].length ?? 0;
  const digits = text.slice(0, text.length - padding);
  if (!alphabet.test(digits) || digits.length % 4 === 1) return undefined;
  if (padding > 0 && (padding > 2 || text.length % 4 !== 0)) return undefined;
  return new Uint8Array(Buffer.from(digits, encoding));
}
