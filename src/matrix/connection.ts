import { join } from "node:path";
import { createClient, IndexedDBStore, MatrixScheduler, type MatrixClient } from "matrix-js-sdk";
import type { BotConfig } from "../config/schema.js";
import type { Logger } from "../log/log.js";
import { openDurableIndexedDB, type DurableIndexedDB } from "./indexeddb/durable-indexeddb.js";
import { sdkLogger, silenceSdkModuleLoggers } from "./sdk-logger.js";
import type { Session } from "./session.js";

/** The bot's Matrix client with its durable stores; `close()` after `client.stopClient()`. */
export interface Connection {
  readonly client: MatrixClient;
  readonly session: Session;
  /** A consistent copy of the E2EE store's file, still encrypted (for backups). */
  copyStore(): Buffer;
  close(): Promise<void>;
}

const SYNC_DB = "dsx-bot-sync";
const CRYPTO_PREFIX = "dsx-bot";

/** Where the bot's E2EE store is: its device's keys, and the sync position. */
export function e2eeDirectory(stateDir: string): string {
  return join(stateDir, "e2ee");
}

/**
 * Creates the bot's matrix-js-sdk client with Rust crypto, both its stores (crypto and sync) in
 * the durable IndexedDB of `directory` (the E2EE store's), encrypted with `bot.storePassphrase`.
 * The client is not started: the caller attaches its listeners first, so no event is missed.
 */
export async function connect(
  config: BotConfig,
  session: Session,
  log: Logger,
  directory = e2eeDirectory(config.bot.stateDir),
): Promise<Connection> {
  silenceSdkModuleLoggers();
  const durable: DurableIndexedDB = await openDurableIndexedDB({
    directory,
    passphrase: config.bot.storePassphrase,
    onCompactionError: (error) => {
      log.warn("E2EE store compaction failed; will retry", { error });
    },
  });
  // The Rust crypto's wasm looks up the global `indexedDB`.
  const restoreGlobals = durable.installGlobals();
  try {
    const store = new IndexedDBStore({ indexedDB: durable.factory, dbName: SYNC_DB });
    const client = createClient({
      baseUrl: config.homeserver.url,
      userId: session.userId,
      deviceId: session.deviceId,
      accessToken: session.accessToken,
      store,
      // The outbox retries failed sends itself (under the same transaction ID, with backoff, in
      // the log); the SDK's own silent retries (up to four, 30 s) would only hide a failing
      // homeserver from the log and hold up the queue. Messages queue per room, as the outbox
      // sends them: one queue for all rooms would make a failed send fail every room's.
      scheduler: new MatrixScheduler(
        () => -1,
        (event) =>
          MatrixScheduler.QUEUE_MESSAGES(event) === null ? null : (event.getRoomId() ?? null),
      ),
      logger: sdkLogger(log.child({ component: "matrix-js-sdk" })),
    });
    // Only after createClient: startup makes users of the saved presence events with the
    // client's user factory (Synapse sends presence; a store holding any failed every restart).
    await store.startup();
    await client.initRustCrypto({
      useIndexedDB: true,
      cryptoDatabasePrefix: CRYPTO_PREFIX,
      storagePassword: config.bot.storePassphrase,
    });
    return {
      client,
      session,
      copyStore: () => durable.copy(),
      close: async () => {
        // Persist the sync position now, so a restart resumes here rather than earlier.
        await store.save(true);
        durable.close();
        restoreGlobals();
      },
    };
  } catch (error) {
    durable.close();
    restoreGlobals();
    throw error;
  }
}
