import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BotConfig } from "../config/schema.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { SessionError } from "./session-error.js";
import { loginRefusal, tokenRefusal } from "./session-refusals.js";

/** Who the bot is on the homeserver: its user, its one device, and how it authenticates. */
export interface Session {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

export { SessionError } from "./session-error.js";

/** The session's file in the state directory (the device ID, and a password login's token). */
export const SESSION_FILE = "session.json";
const FILE = SESSION_FILE;

interface StoredSession {
  userId: string;
  deviceId: string;
  /** Sealed with the data key; present when the bot logged in with a password. */
  accessToken?: string;
}

/** The homeserver calls the session needs, so it can be tested without one. */
export interface SessionHomeserver {
  whoami(accessToken: string): Promise<{ userId: string; deviceId: string | undefined }>;
  login(
    user: string,
    password: string,
    deviceId: string | undefined,
    displayName: string,
  ): Promise<Session>;
  /** Deletes one of the user's devices, answering the homeserver's question with the password. */
  deleteDevice(
    accessToken: string,
    userId: string,
    password: string,
    deviceId: string,
  ): Promise<void>;
}

/**
 * Establishes the bot's session and keeps its device ID in the state directory, so the bot is
 * the same device, with the same keys, after every restart. With an access token the device is
 * the token's; with a password the bot logs in once, creating its device, and later logs in
 * again to that same device if the stored token stops working.
 */
export async function establishSession(
  config: BotConfig,
  homeserver: SessionHomeserver,
  cipher: FieldCipher,
): Promise<Session> {
  const file = join(config.bot.stateDir, FILE);
  const stored = await readStored(file);
  if (stored && stored.userId !== config.bot.userId) {
    // Most often a typo in bot.userId: a new stateDir would make a new device without the keys.
    throw new SessionError(
      `bot.userId ${config.bot.userId} does not match the session in ${config.bot.stateDir}, which is ${stored.userId}'s: ` +
        "check bot.userId (and that bot.stateDir is this bot's); the device's encryption keys are in that state directory",
    );
  }

  let session: Session;
  if (config.bot.accessToken !== undefined) {
    const who = await homeserver.whoami(config.bot.accessToken).catch((error: unknown) => {
      throw tokenRefusal(error);
    });
    if (who.userId !== config.bot.userId) {
      throw new SessionError(
        `bot.accessToken belongs to ${who.userId}, not bot.userId ${config.bot.userId}`,
      );
    }
    if (who.deviceId === undefined)
      throw new SessionError("the homeserver did not say which device bot.accessToken is for");
    if (stored && stored.deviceId !== who.deviceId) {
      throw new SessionError(
        `bot.accessToken is for device ${who.deviceId}, but the encryption keys in ${config.bot.stateDir} are device ${stored.deviceId}'s: ` +
          "use a token of that device, or an empty stateDir for a new device",
      );
    }
    session = { userId: who.userId, deviceId: who.deviceId, accessToken: config.bot.accessToken };
  } else {
    const password = config.bot.password ?? "";
    const token =
      stored?.accessToken === undefined
        ? undefined
        : cipher.decrypt(stored.accessToken, context(stored.userId));
    const reused = token === undefined ? undefined : await stillValid(homeserver, token, stored);
    session =
      reused ??
      (await homeserver
        .login(config.bot.userId, password, stored?.deviceId, config.bot.deviceName)
        .catch((error: unknown) => {
          throw loginRefusal(error, config.bot.userId);
        }));
    if (stored && session.deviceId !== stored.deviceId) {
      throw new SessionError(
        `the homeserver gave a new device ${session.deviceId} instead of ${stored.deviceId}`,
      );
    }
  }

  await saveSession(
    config.bot.stateDir,
    session,
    config.bot.accessToken === undefined ? cipher : undefined,
  );
  return session;
}

/** The session of the file in the state directory, with its token (a password login's). */
export async function storedSession(
  stateDir: string,
  cipher: FieldCipher,
  file = FILE,
): Promise<Session | undefined> {
  const stored = await readStored(join(stateDir, file));
  if (stored?.accessToken === undefined) return undefined;
  const accessToken = cipher.decrypt(stored.accessToken, context(stored.userId));
  return { userId: stored.userId, deviceId: stored.deviceId, accessToken };
}

/**
 * Writes the session file (`file`: another name for it): the device, and with `cipher` the
 * access token sealed under the data key (a password login's; a configured token is not kept).
 */
export async function saveSession(
  stateDir: string,
  session: Session,
  cipher: FieldCipher | undefined,
  file = FILE,
): Promise<void> {
  await writeStored(join(stateDir, file), {
    userId: session.userId,
    deviceId: session.deviceId,
    ...(cipher === undefined
      ? {}
      : { accessToken: cipher.encrypt(session.accessToken, context(session.userId)) }),
  });
}

async function stillValid(
  homeserver: SessionHomeserver,
  token: string,
  stored: StoredSession | undefined,
): Promise<Session | undefined> {
  try {
    const who = await homeserver.whoami(token);
    return who.deviceId === stored?.deviceId && stored !== undefined
      ? { userId: who.userId, deviceId: stored.deviceId, accessToken: token }
      : undefined;
  } catch (error) {
    if ((error as { errcode?: string }).errcode === "M_UNKNOWN_TOKEN") return undefined;
    throw error;
  }
}

/**
 * Re-seals a stored access token under a new data key (key rotation); a token already under the
 * new key is left. Nothing to do without a session file or a stored token.
 */
export async function resealSession(
  stateDir: string,
  from: FieldCipher,
  to: FieldCipher,
): Promise<void> {
  const file = join(stateDir, FILE);
  const stored = await readStored(file);
  if (stored?.accessToken === undefined) return;
  const where = context(stored.userId);
  let token: string;
  try {
    token = from.decrypt(stored.accessToken, where);
  } catch {
    to.decrypt(stored.accessToken, where);
    return;
  }
  await writeStored(file, { ...stored, accessToken: to.encrypt(token, where) });
}

async function readStored(file: string): Promise<StoredSession | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as StoredSession;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SessionError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function writeStored(file: string, session: StoredSession): Promise<void> {
  // The state directory may not exist yet (with PostgreSQL nothing else has made it).
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  await writeFile(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

function context(userId: string): string {
  return `session.accessToken:${userId}`;
}
