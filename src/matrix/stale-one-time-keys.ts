import { Method, type MatrixClient } from "matrix-js-sdk";
import type { Logger } from "../log/log.js";

/** More than a device ever keeps on the server (the Rust crypto keeps about fifty). */
const MOST_KEYS = 500;

/**
 * After a restore, the crypto store is older than the one-time keys the device uploaded since
 * the backup: it makes new keys under IDs the server still holds with other keys, and Synapse
 * refuses the whole upload ("One time key … already exists") at every sync, for good. Nobody
 * could then start an encrypted session with the bot, and their room keys would never reach
 * it. The bot claims its own remaining one-time keys first (a claimed key is gone from the
 * server), so that the restored store's keys can be uploaded. The keys it claims are of the
 * newer store, which is gone: no one could use them anyway. Stops at the fallback key, which
 * the server hands out once the one-time keys are spent.
 */
export async function claimStaleOneTimeKeys(client: MatrixClient, log: Logger): Promise<void> {
  const userId = client.getSafeUserId();
  const deviceId = client.getDeviceId() ?? "";
  let claimed = 0;
  for (; claimed < MOST_KEYS; claimed++) {
    const answer = await client.http.authedRequest<{
      one_time_keys?: Record<string, Record<string, Record<string, { fallback?: boolean }>>>;
    }>(Method.Post, "/keys/claim", undefined, {
      one_time_keys: { [userId]: { [deviceId]: "signed_curve25519" } },
    });
    const keys = Object.values(answer.one_time_keys?.[userId]?.[deviceId] ?? {});
    if (keys.length === 0 || keys.some((key) => key.fallback === true)) break;
  }
  log.info("claimed the one-time keys uploaded after the restored backup", {
    deviceId,
    count: claimed,
  });
}
