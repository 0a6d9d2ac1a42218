import type { MatrixClient } from "matrix-js-sdk";
import { decryptAttachment, hasSha256 } from "./attachment-cipher.js";
import { errcodeOf, readAtMost } from "./bounded-response.js";
import { decodeBase64, decodeBase64Url } from "./unpadded-base64.js";

/** The `m.room.message` msgtypes that carry a file. */
export const ATTACHMENT_MSGTYPES = ["m.file", "m.image", "m.audio", "m.video"] as const;
export type AttachmentMsgtype = (typeof ATTACHMENT_MSGTYPES)[number];

/**
 * A validated `EncryptedFile` (attachment protocol `v2`): where the ciphertext is, and how to
 * check and decrypt it. Holds the file's key: never log it.
 */
export interface EncryptedFileDescriptor {
  /** `mxc://<serverName>/<mediaId>` */
  readonly url: string;
  readonly serverName: string;
  readonly mediaId: string;
  /** The AES-256-CTR key (32 bytes). */
  readonly key: Uint8Array;
  /** The initial counter block (16 bytes). */
  readonly iv: Uint8Array;
  /** SHA-256 of the ciphertext (32 bytes). */
  readonly sha256: Uint8Array;
}

/** What the bot needs of an encrypted attachment message. */
export interface EncryptedAttachment {
  readonly msgtype: AttachmentMsgtype;
  readonly file: EncryptedFileDescriptor;
  /** `filename`, or `body` when there is no `filename`. As sent: not a safe path. */
  readonly name: string;
  readonly mimetype: string | undefined;
  /** The size the sender declared (`info.size`); the download is what counts. */
  readonly declaredSize: number | undefined;
}

/**
 * Why a message is not an encrypted attachment the bot can take. `unencrypted` is a well-formed
 * attachment uploaded without encryption (`url` instead of `file`): the bot asks for it again,
 * encrypted, rather than fetching it.
 */
export type AttachmentProblemCode =
  | "not-an-attachment"
  | "unencrypted"
  | "missing-field"
  | "wrong-type"
  | "bad-url"
  | "bad-key"
  | "unsupported-algorithm"
  | "unsupported-version"
  | "bad-iv"
  | "bad-hash"
  | "bad-size";

/** A problem with the message, naming the field (e.g. `file.key.alg`); never its value. */
export interface AttachmentProblem {
  readonly code: AttachmentProblemCode;
  readonly field: string;
  readonly detail: string;
}

export type AttachmentReading =
  | { readonly ok: true; readonly attachment: EncryptedAttachment }
  | { readonly ok: false; readonly problem: AttachmentProblem };

/**
 * What a download needs of the client: the media URLs, the access token and the spec versions
 * the homeserver advertises (authenticated media came in v1.11).
 */
export type MediaClient = Pick<
  MatrixClient,
  "mxcUrlToHttp" | "getAccessToken" | "isVersionSupported"
>;

/** The first spec version with the authenticated media endpoints (`/_matrix/client/v1/media`). */
const AUTHENTICATED_MEDIA_VERSION = "v1.11";

export interface DownloadOptions {
  /** Refuse files larger than this; the download stops as soon as it is exceeded. */
  readonly maxBytes: number;
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Why a download gave no file. `download-failed` carries the HTTP status (`null` when there was
 * no answer: refused connection, timeout, connection lost mid-body) and the Matrix `errcode`
 * when the homeserver gave one.
 */
export type DownloadProblem =
  | { readonly code: "too-large"; readonly maxBytes: number }
  | { readonly code: "hash-mismatch" }
  | {
      readonly code: "download-failed";
      readonly status: number | null;
      readonly errcode: string | null;
    }
  | { readonly code: "bad-descriptor"; readonly detail: string };

export type AttachmentDownload =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly problem: DownloadProblem };

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Downloads an encrypted attachment through the authenticated media endpoint
 * (`/_matrix/client/v1/media/download/...`, with the client's access token), refusing more than
 * `maxBytes` without reading further, checks the ciphertext's SHA-256 before decrypting, and
 * returns the plaintext. Expected failures are returned; only a client without an access token or
 * a `maxBytes` that is not a whole number (bugs) throw.
 */
export async function downloadAttachment(
  client: MediaClient,
  file: EncryptedFileDescriptor,
  options: DownloadOptions,
): Promise<AttachmentDownload> {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
    throw new RangeError("maxBytes must be a whole number of bytes");
  }
  const problem = (p: DownloadProblem): AttachmentDownload => ({ ok: false, problem: p });
  const defect = descriptorDefect(file);
  if (defect !== undefined) return problem({ code: "bad-descriptor", detail: defect });
  const token = client.getAccessToken();
  if (token === null) throw new Error("the Matrix client has no access token");
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  // The authenticated endpoint where the server advertises it; the older one otherwise, and
  // also where the server does not recognise the newer after all (the spec allows both).
  const authenticated = await client
    .isVersionSupported(AUTHENTICATED_MEDIA_VERSION)
    .catch(() => false);
  let answer = await fetchMedia(client, file.url, authenticated, token, signal);
  if (authenticated && !answer.ok && endpointUnrecognised(answer.problem))
    answer = await fetchMedia(client, file.url, false, token, signal);
  if (!answer.ok) return answer;
  const response = answer.response;
  const body = await readAtMost(response, options.maxBytes);
  if (body === "too-large") return problem({ code: "too-large", maxBytes: options.maxBytes });
  if (body === "failed") return problem({ code: "download-failed", status: null, errcode: null });
  if (!hasSha256(body, file.sha256)) return problem({ code: "hash-mismatch" });
  return { ok: true, bytes: decryptAttachment(body, file.key, file.iv) };
}

type MediaAnswer =
  | { readonly ok: true; readonly response: Response }
  | { readonly ok: false; readonly problem: DownloadProblem };

/** Asks for the media at the authenticated endpoint or the older one; an error is a problem. */
async function fetchMedia(
  client: MediaClient,
  mxc: string,
  authenticated: boolean,
  token: string,
  signal: AbortSignal,
): Promise<MediaAnswer> {
  const url = client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, authenticated);
  if (url === null || url === "") {
    return {
      ok: false,
      problem: { code: "bad-descriptor", detail: "no download URL for this mxc URL" },
    };
  }
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal });
    if (response.ok) return { ok: true, response };
    const errcode = await errcodeOf(response);
    return { ok: false, problem: { code: "download-failed", status: response.status, errcode } };
  } catch {
    return { ok: false, problem: { code: "download-failed", status: null, errcode: null } };
  }
}

/**
 * A server without the endpoint: Synapse before 1.100 answers 400 or 404 `M_UNRECOGNIZED`. Any
 * other answer (a 404 `M_NOT_FOUND` for missing media) is the server's word on the file.
 */
function endpointUnrecognised(problem: DownloadProblem): boolean {
  return problem.code === "download-failed" && problem.errcode === "M_UNRECOGNIZED";
}

function descriptorDefect(file: EncryptedFileDescriptor): string | undefined {
  if (!MXC.test(file.url)) return "the url is not mxc://server/id";
  if (file.key.length !== 32) return "the key is not 32 bytes";
  if (file.iv.length !== 16) return "the IV is not 16 bytes";
  if (file.sha256.length !== 32) return "the SHA-256 is not 32 bytes";
  return undefined;
}

type Json = Readonly<Record<string, unknown>>;

/** Thrown only inside this module, to leave the validation at the first problem. */
class Refusal extends Error {
  constructor(readonly problem: AttachmentProblem) {
    super(problem.detail);
  }
}

function refuse(code: AttachmentProblemCode, field: string, detail: string): never {
  throw new Refusal({ code, field, detail });
}

/**
 * Reads the attachment of an `m.room.message` content (`m.file`, `m.image`, `m.audio`,
 * `m.video`). Strict: a field of the wrong type, a key that is not an A256CTR JWK of 32 bytes, a
 * version other than `v2`, an IV that is not 16 bytes, a hash that is not 32 bytes or an mxc URL
 * that is not `mxc://server/id` gives a problem. Never throws, whatever the input.
 */
export function readAttachment(content: unknown): AttachmentReading {
  try {
    return { ok: true, attachment: attachmentOf(content) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, problem: error.problem };
    throw error;
  }
}

function attachmentOf(content: unknown): EncryptedAttachment {
  if (!isObject(content)) refuse("not-an-attachment", "", "the content is not an object");
  const msgtype = content.msgtype;
  if (!isAttachmentMsgtype(msgtype)) {
    refuse("not-an-attachment", "msgtype", "not m.file, m.image, m.audio or m.video");
  }
  const body = requiredString(content, "body", "body");
  const filename = optionalString(content, "filename", "filename");
  const info = optional(content, "info", "info", isObject, "an object") ?? {};
  const mimetype = optionalString(info, "mimetype", "info.mimetype");
  const declaredSize = optional(info, "size", "info.size", isNumber, "a number");
  if (declaredSize !== undefined && !(Number.isSafeInteger(declaredSize) && declaredSize >= 0)) {
    refuse("bad-size", "info.size", "not a whole number of bytes");
  }
  const name = filename !== undefined && filename !== "" ? filename : body;
  if (content.file === undefined) {
    if (content.url === undefined) refuse("missing-field", "file", "neither file nor url");
    const url = requiredString(content, "url", "url");
    parseMxc(url, "url");
    refuse("unencrypted", "url", "the file was uploaded without encryption");
  }
  const file = required(content, "file", "file", isObject, "an object");
  return { msgtype, file: encryptedFileOf(file, "file"), name, mimetype, declaredSize };
}

/** Validates an `EncryptedFile` object; `path` names it in problems. */
function encryptedFileOf(file: Json, path: string): EncryptedFileDescriptor {
  const version = requiredString(file, "v", `${path}.v`);
  if (version !== "v2") refuse("unsupported-version", `${path}.v`, "only v2 is supported");
  const url = requiredString(file, "url", `${path}.url`);
  const { serverName, mediaId } = parseMxc(url, `${path}.url`);
  const jwk = required(file, "key", `${path}.key`, isObject, "an object");
  const key = keyOf(jwk, `${path}.key`);
  const iv = decodeBase64(requiredString(file, "iv", `${path}.iv`));
  if (iv?.length !== 16) refuse("bad-iv", `${path}.iv`, "not 16 bytes of unpadded base64");
  const hashes = required(file, "hashes", `${path}.hashes`, isObject, "an object");
  const hash = requiredString(hashes, "sha256", `${path}.hashes.sha256`);
  const sha256 = decodeBase64(hash);
  if (sha256?.length !== 32) {
    refuse("bad-hash", `${path}.hashes.sha256`, "not 32 bytes of unpadded base64");
  }
  return { url, serverName, mediaId, key, iv, sha256 };
}

function keyOf(jwk: Json, path: string): Uint8Array {
  const kty = requiredString(jwk, "kty", `${path}.kty`);
  if (kty !== "oct") refuse("bad-key", `${path}.kty`, "the key type is not oct");
  const alg = requiredString(jwk, "alg", `${path}.alg`);
  if (alg !== "A256CTR") refuse("unsupported-algorithm", `${path}.alg`, "not A256CTR");
  const ops = required(jwk, "key_ops", `${path}.key_ops`, isStringArray, "a list of strings");
  if (!ops.includes("encrypt") || !ops.includes("decrypt")) {
    refuse("bad-key", `${path}.key_ops`, "must contain encrypt and decrypt");
  }
  const ext = required(jwk, "ext", `${path}.ext`, isBoolean, "a boolean");
  if (!ext) refuse("bad-key", `${path}.ext`, "must be true");
  const key = decodeBase64Url(requiredString(jwk, "k", `${path}.k`));
  if (key?.length !== 32) refuse("bad-key", `${path}.k`, "not 32 bytes of URL-safe base64");
  return key;
}

// server-name: a DNS name, IPv4 address or [IPv6 literal], with an optional port; media-id: the
// URL-safe characters the spec allows.
const MXC = /^mxc:\/\/((?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?)\/([A-Za-z0-9_-]+)$/;

/** Splits `mxc://<server-name>/<media-id>`; anything else is a `bad-url` problem. */
function parseMxc(url: string, field: string): { serverName: string; mediaId: string } {
  const match = MXC.exec(url);
  const serverName = match?.[1];
  const mediaId = match?.[2];
  if (serverName === undefined || mediaId === undefined) {
    refuse("bad-url", field, "not an mxc://server/id URL");
  }
  return { serverName, mediaId };
}

function required<T>(
  object: Json,
  key: string,
  field: string,
  is: (value: unknown) => value is T,
  expected: string,
): T {
  const value = optional(object, key, field, is, expected);
  if (value === undefined) refuse("missing-field", field, `${field} is required`);
  return value;
}

function optional<T>(
  object: Json,
  key: string,
  field: string,
  is: (value: unknown) => value is T,
  expected: string,
): T | undefined {
  if (!Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  if (!is(value)) refuse("wrong-type", field, `${field} must be ${expected}`);
  return value;
}

function requiredString(object: Json, key: string, field: string): string {
  return required(object, key, field, isString, "a string");
}

function optionalString(object: Json, key: string, field: string): string | undefined {
  return optional(object, key, field, isString, "a string");
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function isAttachmentMsgtype(value: unknown): value is AttachmentMsgtype {
  return (ATTACHMENT_MSGTYPES as readonly unknown[]).includes(value);
}
