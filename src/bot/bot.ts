import { ClientEvent, SyncState, type MatrixClient, type SyncStateData } from "matrix-js-sdk";
import type { DataSource } from "typeorm";
import { Catalog } from "../chat/catalog.js";
import { lines, list, renderText } from "../chat/render.js";
import { refusalText } from "../chat/refusal-text.js";
import { ChatRouter } from "../chat/router.js";
import type { LiveDirectory } from "../config/live-directory.js";
import type { BotConfig } from "../config/schema.js";
import type { TlpLabel } from "../policy/tlp.js";
import { connect, type Connection } from "../matrix/connection.js";
import { crossSignOwnDevice } from "../matrix/cross-signing.js";
import { Inbox } from "../matrix/inbox.js";
import { moveToNewDevice } from "../backup/new-device.js";
import { clearRestoreMarker, readRestoreMarker } from "../backup/restore-marker.js";
import { claimStaleOneTimeKeys } from "../matrix/stale-one-time-keys.js";
import { Outbox } from "../matrix/outbox.js";
import { establishSession } from "../matrix/session.js";
import { sessionHomeserver } from "../matrix/session-homeserver.js";
import type { Logger } from "../log/log.js";
import type { BotProbe } from "../ops/ops-endpoint.js";
import { botProbe } from "../ops/bot-probe.js";
import { SyncWatch } from "../matrix/sync-watch.js";
import { DEFAULT_LANGUAGE } from "../config/default-language.js";
import { languageOf } from "../store/people.js";
import { FieldCipher } from "../store/field-cipher.js";
import { transaction } from "../store/transaction.js";
import { Backups } from "../backup/backups.js";
import { RoomMaker } from "../matrix/rooms.js";
import { Scheduler } from "../schedule/scheduler.js";
import { withRoomEvents } from "./event-router.js";
import { RoomGuard } from "../guard/room-guard.js";
import { Invites } from "./invites.js";
import { checkConfiguredRooms, logRoomProblems, type RoomKey } from "./room-checks.js";
import { MessageHandler } from "./message-handler.js";
import { rateLimits, reportTeam } from "./message-limits.js";
import { RoomKinds } from "./room-kinds.js";
import { assembleWorkflows } from "./workflows.js";

/** The configured rooms that never receive RED or AMBER, whoever is in them. */
const CEILINGS: Partial<Record<keyof BotConfig["rooms"], TlpLabel>> = {
  communityAlerts: "GREEN",
  publicAlerts: "WHITE",
  donors: "GREEN",
};

/** A running bot; `stop()` finishes the event in hand and closes everything. */
export interface RunningBot extends BotProbe {
  readonly connection: Connection;
  /** After a directory reload: whoever it no longer admits to a case room is removed. */
  directoryReloaded(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the bot: the session and device, the encrypted client, the outbox, the inbox and the
 * conversations; joins the configured rooms; catches up with what happened while it was down.
 */
export async function startBot(
  config: BotConfig,
  directory: LiveDirectory,
  dataSource: DataSource,
  log: Logger,
): Promise<RunningBot> {
  const cipher = new FieldCipher(config.dataKey);
  const homeserver = sessionHomeserver(config.homeserver.url, log);
  const restore = await readRestoreMarker(config.bot.stateDir);
  // A configured access token is bound to the restored device: only a password login moves.
  const newDevice = restore !== undefined && config.bot.accessToken === undefined;
  if (newDevice && restore.moved !== true)
    await moveToNewDevice({ config, marker: restore, homeserver, cipher, log });
  const session = await establishSession(config, homeserver, cipher);
  log.info("session established", { deviceId: session.deviceId });
  const connection = await connect(config, session, log);
  const { client } = connection;
  await logDeviceKey(client, log);
  const catalog = Catalog.load();
  const roomKinds = new RoomKinds(client);
  // The rooms the bot makes (direct rooms, case rooms), for every workflow.
  const rooms = new RoomMaker(
    client,
    (roomId) => roomKinds.configuredKind(roomId) !== undefined,
    log.child({ component: "rooms" }),
  );
  // The workflows plug in here: their commands and dialogues, jobs, and their cases' exchanges.
  const workflows = assembleWorkflows({
    client,
    dataSource,
    config,
    directory: () => directory.directory,
    cipher,
    catalog,
    roomKinds,
    rooms,
    say: (manager, roomId, message) => outbox.enqueue(manager, roomId, message, null),
    jobs: (): Scheduler => scheduler,
    moderatedRooms: () =>
      client
        .getRooms()
        .filter((room) => room.getMyMembership() === "join")
        .map((room) => room.roomId)
        .filter((roomId) => !["direct", "other"].includes(roomKinds.kindOf(roomId))),
    log,
  });
  const backups = new Backups({
    dataSource,
    dataKey: config.dataKey,
    stateDir: config.bot.stateDir,
    copyStore: () => connection.copyStore(),
    every: () => config.policy.backups.every.ms,
    keep: () => config.policy.backups.keep.ms,
    jobs: (): Scheduler => scheduler,
    log: log.child({ component: "backups" }),
  });
  // The triage room is the DSX team's, for the outbox and for the check at start.
  const inTriageAudience = (userId: string) => directory.directory.isDsxTeam(userId);
  const outbox = new Outbox({
    client,
    dataSource,
    cipher,
    directory: () => directory.directory,
    exchanges: workflows.exchanges,
    explain: async (refusal) =>
      refusalText(
        catalog,
        refusal.requester
          ? await languageOf(dataSource.manager, refusal.requester)
          : DEFAULT_LANGUAGE,
        config.policy.tlpNames,
        refusal,
      ),
    tlpNames: config.policy.tlpNames,
    log: log.child({ component: "outbox" }),
    // In guarded rooms an outsider is being removed: the message waits for that.
    guarded: (roomId) => roomKinds.isCaseRoom(roomId),
    ceiling: (roomId) => CEILINGS[roomKinds.configuredKey(roomId) ?? "triage"],
    roomAudience: (roomId) =>
      roomKinds.configuredKey(roomId) === "triage" ? inTriageAudience : undefined,
  });
  const guard = new RoomGuard({
    client,
    dataSource,
    guarded: (roomId) => workflows.guardOf(roomId),
    directory: () => directory.directory,
    catalog,
    tlpNames: config.policy.tlpNames,
    say: (manager, roomId, message) => outbox.enqueue(manager, roomId, message, null),
    log: log.child({ component: "guard" }),
  });
  const scheduler: Scheduler = new Scheduler({
    dataSource,
    tasks: [...workflows.tasks, ...backups.tasks(), guard.task()],
    log: log.child({ component: "scheduler" }),
    afterFired: () => void outbox.flush(),
  });
  const messages = new MessageHandler({
    router: new ChatRouter(workflows.modules),
    outbox,
    catalog,
    cipher,
    directory: () => directory.directory,
    roomKinds,
    tlpNames: config.policy.tlpNames,
    media: client,
    maxFileBytes: () => config.incidents.attachments.maxBytes,
    // Harassment can be reported by anyone in a DSX room, not only by people the directory knows.
    sharesDsxRoom: (userId) => invites.sharesDsxRoom(userId),
    reader: () => dataSource.manager,
    limits: rateLimits(config, cipher),
    reportTeam: (kind) => reportTeam(config, kind),
    log: log.child({ component: "messages" }),
  });
  const inbox = new Inbox({
    client,
    dataSource,
    cipher,
    // The guard first: an outsider is removed before anything else happens in the room.
    handler: withRoomEvents(messages, [guard.hook(), ...workflows.roomEvents]),
    log: log.child({ component: "inbox" }),
    afterHandled: () => {
      void outbox.flush();
      void scheduler.wakeIfScheduled();
    },
    resendAfterMs: config.policy.undecryptable.askToResendAfter.ms,
    afterRestore: restore !== undefined,
  });
  const configuredRoomIds: string[] = [];
  const invites = new Invites(
    client,
    () => directory.directory,
    () => configuredRoomIds,
    log.child({ component: "invites" }),
  );

  const sync = new SyncWatch(client);
  sync.attach();
  watchConnection(client, log.child({ component: "sync" }));
  inbox.attach();
  invites.attach();
  workflows.vulnerabilities.watchReceipts(() => void outbox.flush());
  const restoredDevice = restore !== undefined && !newDevice;
  if (restoredDevice) {
    log.warn(
      "after a restore the bot keeps the restored device, as bot.accessToken is bound to it: room keys sent to it " +
        "after the backup are lost, and some people may not read its messages until they start a new session; " +
        "with bot.password alone a restore makes a new device",
      { deviceId: session.deviceId },
    );
  }
  // Before the first sync, which would have the restored store upload keys the server refuses.
  if (restoredDevice) await claimStaleOneTimeKeys(client, log);
  await startSyncing(client, log);
  if (restoredDevice) {
    // The restored store's outbound sessions were used on after the backup: new ones, before
    // anything is sent, or a message index would encrypt two different messages.
    const crypto = client.getCrypto();
    for (const room of client.getRooms()) await crypto?.forceDiscardSession(room.roomId);
  }
  await crossSignOwnDevice(client, config.bot.password, log);
  const { joined, unreachable } = await joinConfiguredRooms(
    client,
    config,
    roomKinds,
    configuredRoomIds,
  );
  const roomProblems = await checkConfiguredRooms(
    client,
    joined,
    unreachable,
    config.rooms,
    inTriageAudience,
  );
  logRoomProblems(roomProblems, log);
  await invites.answerPending();
  await inbox.catchUp();
  if (restore) {
    await clearRestoreMarker(config.bot.stateDir);
    // ms: how old the restored backup was, i.e. the time whose work was not redone.
    log.info("caught up after a restore", { ms: Date.now() - restore.backupCreatedAt });
  }
  const sweepCaseRooms = () =>
    guard.sweepAll(
      client
        .getRooms()
        .filter((room) => roomKinds.isCaseRoom(room.roomId))
        .map((room) => room.roomId),
    );
  await sweepCaseRooms();
  await transaction(dataSource, async (manager) => {
    await workflows.statistics.ensureMonthly(manager, Date.now());
    await backups.ensureScheduled(manager, Date.now());
    await workflows.unfinished.ensureScheduled(manager, Date.now());
  });
  await scheduler.start();
  await workflows.vulnerabilities.checkAllSeen();
  void outbox.flush();
  const triage = joined.get("triage");
  if (roomProblems.length > 0 && triage !== undefined) {
    const say = (key: string, params?: Record<string, string>) =>
      renderText(catalog, DEFAULT_LANGUAGE, { key, ...(params ? { params } : {}) });
    const text = lines([
      say("rooms.problems"),
      list(
        roomProblems.map(({ key, reference, problem, count }) =>
          say(`rooms.problem.${problem}`, {
            room: `${key} (${reference})`,
            count: String(count ?? 0),
          }),
        ),
      ),
    ]);
    await transaction(dataSource, (manager) =>
      outbox.enqueue(manager, triage, { label: "WHITE", step: "room-problems", text }, null),
    );
    void outbox.flush();
  }
  log.info("dsx-bot ready", { deviceId: session.deviceId, count: client.getRooms().length });
  releaseStartGarbage();

  return {
    connection,
    ...botProbe({ dataSource, sync, inbox, outbox, scheduler }),
    async directoryReloaded() {
      await sweepCaseRooms();
      void outbox.flush(); // the guard's notices of whom it removed
    },
    async stop() {
      sync.detach();
      invites.stop();
      await inbox.stop();
      await scheduler.stop();
      await outbox.stop();
      client.stopClient();
      await connection.close();
    },
  };
}

/**
 * The device's ed25519 key as Element shows it ("Session key", in groups of four), for an
 * operator verifying the bot by hand: it is public, and only the log has it otherwise.
 */
async function logDeviceKey(client: MatrixClient, log: Logger): Promise<void> {
  const keys = await client.getCrypto()?.getOwnDeviceKeys();
  if (keys === undefined) return;
  log.info("the bot's device", {
    deviceId: client.getDeviceId() ?? "",
    sessionKey: keys.ed25519.match(/.{1,4}/g)?.join(" ") ?? keys.ed25519,
  });
}

/**
 * Starting reads every room, the stored sync and the E2EE store: much of what that allocates is
 * garbage once the bot is ready, and V8 would return it to the system only after a while idle.
 * One full collection now gives it back at once (when node runs with `--expose-gc`, as
 * `npm start` does).
 */
function releaseStartGarbage(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) setImmediate(collect);
}

function startSyncing(client: MatrixClient, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSync = (state: SyncState, _previous: SyncState | null, data?: SyncStateData): void => {
      // The sync store's saved copy comes first (`fromCache`), and may be minutes old: the bot
      // is ready only when the homeserver itself has answered, or it would not know rooms it
      // made just before a crash.
      if ((state === SyncState.Prepared || state === SyncState.Syncing) && !data?.fromCache) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        log.warn("waiting for the homeserver", { error: data?.error });
      }
    };
    client.on(ClientEvent.Sync, onSync);
    client.startClient({ initialSyncLimit: 50, lazyLoadMembers: false }).catch(reject);
  });
}

/**
 * Says in the log when the sync loop loses the homeserver (an error, dropped connections, a
 * restart) and when it is back; the SDK retries by itself meanwhile. Once per outage, not per try.
 */
function watchConnection(client: MatrixClient, log: Logger): void {
  let lostAt: number | undefined;
  let failures = 0;
  client.on(ClientEvent.Sync, (state, _previous, data) => {
    if (state === SyncState.Error || state === SyncState.Reconnecting) {
      failures++;
      if (lostAt !== undefined) return;
      lostAt = Date.now();
      log.warn("lost the homeserver; the sync retries", { reason: state, error: data?.error });
    } else if (
      (state === SyncState.Syncing || state === SyncState.Prepared) &&
      lostAt !== undefined
    ) {
      log.info("the homeserver is back; the sync goes on", {
        ms: Date.now() - lostAt,
        count: failures,
      });
      lostAt = undefined;
      failures = 0;
    }
  });
}

/**
 * Joins the configured rooms (the triage room first in `roomIds`: the bot reports problems
 * there), and says which it could and could not join.
 */
async function joinConfiguredRooms(
  client: MatrixClient,
  config: BotConfig,
  roomKinds: RoomKinds,
  roomIds: string[],
): Promise<{
  joined: Map<RoomKey, string>;
  unreachable: { key: RoomKey; reference: string; error: unknown }[];
}> {
  const joined = new Map<RoomKey, string>();
  const unreachable: { key: RoomKey; reference: string; error: unknown }[] = [];
  for (const [key, reference] of Object.entries(config.rooms) as [RoomKey, string][]) {
    try {
      const room = await client.joinRoom(reference);
      roomKinds.setConfigured(key, room.roomId);
      joined.set(key, room.roomId);
      if (key === "triage") roomIds.unshift(room.roomId);
      else roomIds.push(room.roomId);
    } catch (error) {
      // Said with the other problems of the configured rooms (checkConfiguredRooms).
      unreachable.push({ key, reference, error });
    }
  }
  return { joined, unreachable };
}
