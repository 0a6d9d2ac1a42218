import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { IMegolmSessionData, MatrixClient } from "matrix-js-sdk";
import type { BotConfig } from "../config/schema.js";
import { connect, e2eeDirectory } from "../matrix/connection.js";
import {
  saveSession,
  SESSION_FILE,
  storedSession,
  type Session,
  type SessionHomeserver,
} from "../matrix/session.js";
import { SessionError } from "../matrix/session-error.js";
import { loginRefusal } from "../matrix/session-refusals.js";
import type { Logger } from "../log/log.js";
import type { FieldCipher } from "../store/field-cipher.js";
import { exists } from "./file-exists.js";
import { writeRestoreMarker, type RestoreMarker } from "./restore-marker.js";

type CryptoApi = NonNullable<ReturnType<MatrixClient["getCrypto"]>>;
/** The SDK's `SecretsBundleJson` (its type is not shipped): handed from store to store as is. */
type SecretsBundle = object;

/** What the restored device hands on: the account's cross-signing keys and the room keys. */
interface HandedOn {
  readonly secrets: SecretsBundle | undefined;
  readonly roomKeys: IMegolmSessionData[];
}

/** The new device's session file until it takes the place of the restored one. */
const PENDING_SESSION = "session.json.new";

/**
 * After a restore the bot comes back as a new device. The restored one is out of step with
 * everybody: its Olm sessions moved on after the backup (on both sides), and the room keys sent
 * to it since were lost with the disk. Other clients believe they have shared their keys with
 * it and never share them again, and cannot open the keys it shares. A new device gets fresh
 * Olm sessions, and every client shares its room keys with it at its next message. The
 * account's cross-signing keys and the room keys the restored store holds (what was said before
 * the backup, and after it in the same sessions) go over to it; the old device is deleted.
 *
 * Needs `bot.password` alone: a configured access token is bound to the restored device. Each
 * step leaves what the next start needs (the marker says how far it got), so a crash on the way
 * is finished, or started again, at the next start.
 */
export async function moveToNewDevice(options: {
  readonly config: BotConfig;
  readonly marker: RestoreMarker;
  readonly homeserver: SessionHomeserver;
  readonly cipher: FieldCipher;
  readonly log: Logger;
}): Promise<void> {
  const { config, homeserver, cipher, log } = options;
  const stateDir = config.bot.stateDir;
  const password = config.bot.password ?? "";
  const current = e2eeDirectory(stateDir);
  const fresh = `${current}.new`;
  const former = `${current}.old`;
  let marker = options.marker;

  if (!(await exists(former))) {
    const restored = await storedSession(stateDir, cipher);
    if (restored === undefined) throw new SessionError("the restored backup holds no session");
    const unfinished = await storedSession(stateDir, cipher, PENDING_SESSION);
    if (unfinished !== undefined) {
      // An earlier start ended before the switch: that device is dropped, and made again.
      log.info("a start after the restore ended while making the new device; it is made again", {
        deviceId: unfinished.deviceId,
      });
      await deleteDevice(homeserver, config, unfinished, unfinished.deviceId, log);
    }
    await rm(fresh, { recursive: true, force: true });
    const handedOn = await handOn(config, restored, log);
    const session = await homeserver
      .login(config.bot.userId, password, undefined, config.bot.deviceName)
      .catch((error: unknown) => {
        throw loginRefusal(error, config.bot.userId);
      });
    await saveSession(stateDir, session, cipher, PENDING_SESSION);
    marker = { ...marker, formerDeviceId: restored.deviceId };
    await writeRestoreMarker(stateDir, marker);
    await takeOn(config, session, fresh, handedOn, log);
    await rename(current, former);
  }
  // The switch: each rename is done once; whatever a crash left is done at the next start.
  if (await exists(fresh)) await rename(fresh, current);
  const pending = join(stateDir, PENDING_SESSION);
  if (await exists(pending)) await rename(pending, join(stateDir, SESSION_FILE));
  await rm(former, { recursive: true, force: true });
  const session = await storedSession(stateDir, cipher);
  if (session !== undefined && marker.formerDeviceId !== undefined)
    await deleteDevice(homeserver, config, session, marker.formerDeviceId, log);
  await writeRestoreMarker(stateDir, { ...marker, moved: true });
  log.info("after a restore the bot is a new device", { deviceId: session?.deviceId ?? "" });
}

/** Reads the restored store; the client is not started, so nothing is sent as that device. */
function handOn(config: BotConfig, restored: Session, log: Logger): Promise<HandedOn> {
  return withCrypto(config, restored, undefined, log, async (crypto) => {
    // Missing when the account's cross-signing keys were never made by this bot.
    const secrets: unknown = await crypto.exportSecretsBundle?.().catch(() => undefined);
    return {
      secrets: typeof secrets === "object" && secrets !== null ? secrets : undefined,
      roomKeys: await crypto.exportRoomKeys(),
    };
  });
}

/** Makes the new device's store in `directory`, with what the restored device handed on. */
function takeOn(
  config: BotConfig,
  session: Session,
  directory: string,
  handedOn: HandedOn,
  log: Logger,
): Promise<void> {
  return withCrypto(config, session, directory, log, async (crypto) => {
    await crypto.importRoomKeys(handedOn.roomKeys);
    if (handedOn.secrets !== undefined) {
      // The keys are taken only if they match the account's published ones: fetch those first.
      await crypto.userHasCrossSigningKeys(session.userId, true);
      await crypto.importSecretsBundle?.(handedOn.secrets);
    }
  });
}

/** The crypto of a device's store (in `directory`, or the E2EE store's), closed after `use`. */
async function withCrypto<T>(
  config: BotConfig,
  session: Session,
  directory: string | undefined,
  log: Logger,
  use: (crypto: CryptoApi) => Promise<T>,
): Promise<T> {
  const connection = await connect(config, session, log, directory);
  try {
    const crypto = connection.client.getCrypto();
    if (crypto === undefined) throw new Error("the client has no crypto");
    return await use(crypto);
  } finally {
    connection.client.stopClient();
    await connection.close();
  }
}

/** Deletes one of the bot's devices (the password answers the homeserver's question). */
async function deleteDevice(
  homeserver: SessionHomeserver,
  config: BotConfig,
  session: Session,
  deviceId: string,
  log: Logger,
): Promise<void> {
  try {
    await homeserver.deleteDevice(
      session.accessToken,
      session.userId,
      config.bot.password ?? "",
      deviceId,
    );
  } catch (error) {
    // Other clients then go on sharing keys with it too: wasted, but no one reads them.
    log.warn("could not delete the bot's former device; delete it in Element's session list", {
      deviceId,
      error,
    });
  }
}
