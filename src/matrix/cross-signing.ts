import type { MatrixClient } from "matrix-js-sdk";
import type { Logger } from "../ops/log.js";

/**
 * Cross-signs the bot's device with its account's keys, so that Element shows it as verified by
 * its owner. The first upload of cross-signing keys needs no password on current servers; where
 * the server asks for one, the configured password answers. An account whose keys were set up
 * elsewhere is left alone (the operator verifies the bot's device from that session instead).
 */
export async function crossSignOwnDevice(
  client: MatrixClient,
  password: string | undefined,
  log: Logger,
): Promise<void> {
  const crypto = client.getCrypto();
  if (!crypto) return;
  try {
    if (await crypto.isCrossSigningReady()) return;
    await crypto.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: async (makeRequest) => {
        if (password === undefined) {
          await makeRequest(null);
          return;
        }
        await makeRequest({
          type: "m.login.password",
          identifier: { type: "m.id.user", user: client.getSafeUserId() },
          password,
        });
      },
    });
    log.info("cross-signed the bot's device", { deviceId: client.getDeviceId() ?? "" });
  } catch (error) {
    log.warn("could not cross-sign the bot's device; verify it from another session", { error });
  }
}
