import type { MatrixClient } from "matrix-js-sdk";
import type { Logger } from "../log/log.js";

/**
 * Cross-signs the bot's device with its account's keys, so that Element shows it as verified by
 * its owner. Tried at every start until the server has the keys. Older servers (Synapse 1.67)
 * ask for the password even for the first upload of the keys: the configured password answers;
 * without one the operator is told what to do. An account whose keys were set up elsewhere is
 * left alone (the operator verifies the bot's device from that session instead).
 */
export async function crossSignOwnDevice(
  client: MatrixClient,
  password: string | undefined,
  log: Logger,
): Promise<void> {
  const crypto = client.getCrypto();
  if (!crypto) return;
  const deviceId = client.getDeviceId() ?? "";
  try {
    // Asked of the server: keys made locally in an earlier start whose upload was refused make
    // the client's own view "ready" all the same.
    const userId = client.getSafeUserId();
    const published = await client.downloadKeysForUsers([userId]);
    if (published.master_keys?.[userId] !== undefined) {
      if (await crypto.isCrossSigningReady()) {
        // A new device with the account's keys (after a restore) signs itself.
        if (!(await signedOnServer(client, deviceId, published))) {
          await crypto.crossSignDevice(deviceId);
          log.info("cross-signed the bot's device", { deviceId });
        }
        return;
      }
      log.warn("the bot's account has cross-signing keys made elsewhere; verify its device there", {
        deviceId,
      });
      return;
    }
    let askedForPassword = false;
    await crypto
      .bootstrapCrossSigning({
        // New keys: ones made in an earlier start whose upload the server refused are replaced.
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          if (password === undefined) {
            askedForPassword = true;
            await makeRequest(null);
            return;
          }
          await makeRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: userId },
            password,
          });
        },
      })
      .catch((error: unknown) => {
        if (askedForPassword && httpStatus(error) === 401) throw new PasswordNeeded();
        throw error;
      });
    log.info("cross-signed the bot's device", { deviceId });
  } catch (error) {
    if (error instanceof PasswordNeeded) {
      log.warn(
        "the homeserver asks for the bot's password to publish its cross-signing keys: set bot.password " +
          "(with bot.accessToken, or instead of it) and restart; until then Element shows the bot's device as not verified",
        { deviceId, status: 401 },
      );
      return;
    }
    log.warn("could not cross-sign the bot's device; will try again at the next start", {
      deviceId,
      error,
    });
  }
}

class PasswordNeeded extends Error {}

/** How long a new device waits for the homeserver to have its keys before signing them. */
const DEVICE_KEYS_WAIT_MS = 20_000;
const DEVICE_KEYS_CHECK_MS = 250;

/**
 * Whether the homeserver has the device's keys signed by the account's self-signing key, judged
 * first by the keys already `published`. A new device's keys go up in the crypto's own request
 * loop after the first sync, which says nothing when done: the homeserver is asked again until
 * it has them (a signature of keys it does not have yet would be refused), for a bounded time.
 */
async function signedOnServer(
  client: MatrixClient,
  deviceId: string,
  published: Awaited<ReturnType<MatrixClient["downloadKeysForUsers"]>>,
): Promise<boolean> {
  const userId = client.getSafeUserId();
  let keys = published;
  for (let waited = 0; ; waited += DEVICE_KEYS_CHECK_MS) {
    const device = keys.device_keys[userId]?.[deviceId];
    if (device !== undefined) {
      const selfSigning = Object.keys(keys.self_signing_keys?.[userId]?.keys ?? {});
      const signatures = Object.keys(device.signatures?.[userId] ?? {});
      return selfSigning.some((key) => signatures.includes(key));
    }
    if (waited >= DEVICE_KEYS_WAIT_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, DEVICE_KEYS_CHECK_MS));
    keys = await client.downloadKeysForUsers([userId]);
  }
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { httpStatus?: unknown }).httpStatus;
  return typeof status === "number" ? status : undefined;
}
