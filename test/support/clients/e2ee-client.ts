import "../../../src/matrix/polyfills.js";
import {
  ClientEvent,
  createClient,
  MatrixEvent,
  MatrixEventEvent,
  Preset,
  RoomEvent,
  RoomMemberEvent,
  SyncState,
  type ICreateRoomOpts,
  type TimelineEvents,
  type MatrixClient,
  type Room,
} from "matrix-js-sdk";
import { CryptoEvent } from "matrix-js-sdk/lib/crypto-api/index.js";
import { unrefLongTimers } from "./long-timers.js";
import { silenceSdkLogging, testLogger } from "./silent-logger.js";
import { loginWithPassword, registerWithPassword, type Credentials } from "./registration.js";

export type { Credentials };

export interface E2eeClientOptions {
  /** Password to register with or log in with; default `<localpart>-password`. */
  readonly password?: string;
  /** Log in to an existing account (a new device of that user) instead of registering. */
  readonly login?: boolean;
  readonly deviceDisplayName?: string;
}

export interface EncryptedRoomOptions {
  readonly invite?: readonly string[];
  readonly name?: string;
  readonly historyVisibility?: "joined" | "invited" | "shared" | "world_readable";
  readonly preset?: "private_chat" | "trusted_private_chat" | "public_chat";
  readonly isDirect?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const PRESETS = {
  private_chat: Preset.PrivateChat,
  trusted_private_chat: Preset.TrustedPrivateChat,
  public_chat: Preset.PublicChat,
} as const;

/**
 * A test user as Element would be: matrix-js-sdk with Rust crypto (keys in memory), started
 * and synced. Waits are event-driven (SDK events), with a deadline.
 */
export class E2eeTestClient {
  constructor(
    readonly client: MatrixClient,
    readonly credentials: Credentials,
  ) {}

  get userId(): string {
    return this.credentials.userId;
  }

  get deviceId(): string {
    return this.credentials.deviceId;
  }

  /** Creates a room with `m.room.encryption` in its initial state; resolves once synced. */
  async createEncryptedRoom(options: EncryptedRoomOptions = {}): Promise<string> {
    const initialState: NonNullable<ICreateRoomOpts["initial_state"]> = [
      { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
    ];
    if (options.historyVisibility !== undefined) {
      initialState.push({
        type: "m.room.history_visibility",
        state_key: "",
        content: { history_visibility: options.historyVisibility },
      });
    }
    return this.createRoom({
      initial_state: initialState,
      preset: PRESETS[options.preset ?? "private_chat"],
      ...(options.invite === undefined ? {} : { invite: [...options.invite] }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.isDirect === undefined ? {} : { is_direct: options.isDirect }),
    });
  }

  /** Creates a room with any options; resolves once the client has synced it. */
  async createRoom(options: ICreateRoomOpts): Promise<string> {
    const { room_id: roomId } = await this.client.createRoom(options);
    await this.waitForMembership(roomId, "join");
    return roomId;
  }

  /** Joins a room (by id or alias); resolves once the client has synced the join. */
  async joinRoom(roomIdOrAlias: string): Promise<string> {
    const room = await this.client.joinRoom(roomIdOrAlias);
    await this.waitForMembership(room.roomId, "join");
    return room.roomId;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.client.invite(roomId, userId);
  }

  async leave(roomId: string): Promise<void> {
    await this.client.leave(roomId);
  }

  /** Sends `m.text`; encrypted when the room is. Returns the event id. */
  async sendText(roomId: string, body: string): Promise<string> {
    return this.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body });
  }

  /** Sends any room event (encrypted when the room is). Returns the event id. */
  async sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    // Arbitrary event types are the point here; the SDK types content per known type.
    const { event_id: eventId } = await this.client.sendEvent(
      roomId,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- any type allowed
      type as keyof TimelineEvents,
      content as unknown as TimelineEvents[keyof TimelineEvents],
    );
    return eventId;
  }

  /** Resolves when the client's own membership in `roomId` is `membership`. */
  waitForMembership(
    roomId: string,
    membership: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    const done = (): boolean => this.client.getRoom(roomId)?.getMyMembership() === membership;
    return this.waitFor(`membership ${membership} in ${roomId}`, done, timeoutMs, [
      ClientEvent.Room,
      RoomEvent.MyMembership,
    ]);
  }

  /**
   * Resolves with the ID of a room `inviter` invited this client to (the first for which `which`
   * holds), already known or arriving.
   */
  async waitForInvite(
    inviter: string,
    which: (room: Room) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<string> {
    let found: string | undefined;
    const done = (): boolean => {
      found = this.client
        .getRooms()
        .find(
          (room) =>
            room.getMyMembership() === "invite" &&
            room.getMember(this.userId)?.events.member?.getSender() === inviter &&
            which(room),
        )?.roomId;
      return found !== undefined;
    };
    await this.waitFor(`an invite from ${inviter}`, done, timeoutMs, [
      ClientEvent.Room,
      RoomEvent.MyMembership,
    ]);
    return found ?? "";
  }

  /** Resolves when `userId`'s membership in `roomId`, as this client sees it, is `membership`. */
  waitForMemberState(
    roomId: string,
    userId: string,
    membership: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    const done = (): boolean =>
      this.client.getRoom(roomId)?.getMember(userId)?.membership === membership;
    const seen = () => this.client.getRoom(roomId)?.getMember(userId)?.membership ?? "nothing";
    return this.waitFor(
      () => `${userId} ${membership} in ${roomId} (it sees ${seen()})`,
      done,
      timeoutMs,
      [ClientEvent.Room, RoomMemberEvent.Membership],
    );
  }

  /**
   * Resolves with the first event of `roomId` (already in the live timeline or arriving) for
   * which `predicate` holds, after decryption. Events that fail to decrypt are not offered to
   * the predicate until the keys come and they decrypt.
   */
  waitForEvent(
    roomId: string,
    predicate: (event: MatrixEvent) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<MatrixEvent> {
    return new Promise((resolve, reject) => {
      const consider = (event: MatrixEvent): void => {
        if (event.getRoomId() !== roomId) return;
        if (event.isBeingDecrypted() || event.isDecryptionFailure()) return;
        if (event.isEncrypted() && event.getClearContent() === null) return;
        if (predicate(event))
          finish(() => {
            resolve(event);
          });
      };
      const onTimeline = (event: MatrixEvent): void => {
        consider(event);
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.client.off(RoomEvent.Timeline, onTimeline);
        this.client.off(MatrixEventEvent.Decrypted, onTimeline);
        settle();
      };
      const timer = setTimeout(() => {
        finish(() => {
          reject(
            new Error(
              `${this.userId}: no matching event in ${roomId} in time${this.unreadable(roomId)}`,
            ),
          );
        });
      }, timeoutMs);
      this.client.on(RoomEvent.Timeline, onTimeline);
      this.client.on(MatrixEventEvent.Decrypted, onTimeline);
      for (const event of this.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []) {
        consider(event);
      }
    });
  }

  /** Waits for an `m.room.message` whose body satisfies `predicate` (a string: equality). */
  waitForMessage(
    roomId: string,
    predicate: string | ((body: string, event: MatrixEvent) => boolean),
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<MatrixEvent> {
    const test = typeof predicate === "string" ? (body: string) => body === predicate : predicate;
    return this.waitForEvent(
      roomId,
      (event) => {
        const body: unknown = event.getContent().body;
        return (
          event.getType() === "m.room.message" && typeof body === "string" && test(body, event)
        );
      },
      timeoutMs,
    );
  }

  /**
   * Resolves once this client's crypto knows `deviceId` of `userId` (so that the next room key
   * it shares reaches that device).
   */
  async waitForDevice(
    userId: string,
    deviceId: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    const crypto = this.client.getCrypto();
    if (crypto === undefined) throw new Error("crypto is not initialised");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let wake = (): void => undefined;
      const updated = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.client.once(CryptoEvent.DevicesUpdated, wake);
      try {
        const devices = await crypto.getUserDeviceInfo([userId], true);
        if (devices.get(userId)?.has(deviceId) === true) return;
        if (Date.now() >= deadline)
          throw new Error(`${this.userId}: never saw ${userId} ${deviceId}`);
        await updated;
      } finally {
        clearTimeout(timer);
        this.client.off(CryptoEvent.DevicesUpdated, wake);
      }
    }
  }

  /** Resolves at the next sync that completes (e.g. once reconnected after an outage). */
  waitForNextSync(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const onSync = (state: SyncState): void => {
        if (state === SyncState.Syncing || state === SyncState.Prepared) finish(resolve);
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.client.off(ClientEvent.Sync, onSync);
        settle();
      };
      const timer = setTimeout(() => {
        finish(() => {
          reject(new Error(`${this.userId}: no sync completed in time`));
        });
      }, timeoutMs);
      this.client.on(ClientEvent.Sync, onSync);
    });
  }

  /**
   * What of the room this client could not read, for a timeout's message: a wait that fails on
   * a message whose keys never came is then told from one on a message never sent.
   */
  private unreadable(roomId: string): string {
    const events = this.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
    const failed = events.filter((e) => e.isDecryptionFailure());
    const others = events.filter((e) => e.getSender() !== this.userId && !e.isState()).slice(-5);
    const last =
      others.length === 0 ? "" : `; the last from others: ${others.map(describe).join(", ")}`;
    if (failed.length === 0) return ` (${events.length} events, all readable${last})`;
    const senders = [...new Set(failed.map((e) => e.getSender()))].join(", ");
    const reasons = [...new Set(failed.map((e) => e.decryptionFailureReason ?? "unknown"))].join(
      ", ",
    );
    return ` (${events.length} events; ${failed.length} it could not decrypt, from ${senders}: ${reasons}${last})`;
  }

  /** Fetches one event from the server and tries to decrypt it (for "can it read this?"). */
  async fetchEvent(roomId: string, eventId: string): Promise<MatrixEvent> {
    const raw = await this.client.fetchRoomEvent(roomId, eventId);
    const event = new MatrixEvent(raw);
    await this.client.decryptEventIfNeeded(event);
    return event;
  }

  /** Stops syncing and the crypto engine. */
  stop(): void {
    this.client.stopClient();
  }

  private waitFor(
    what: string | (() => string),
    done: () => boolean,
    timeoutMs: number,
    events: readonly (ClientEvent.Room | RoomEvent.MyMembership | RoomMemberEvent.Membership)[],
  ): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) finish(resolve);
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        for (const name of events) this.client.off(name, check);
        settle();
      };
      const timer = setTimeout(() => {
        finish(() => {
          reject(
            new Error(
              `${this.userId}: timed out waiting for ${typeof what === "string" ? what : what()}`,
            ),
          );
        });
      }, timeoutMs);
      for (const name of events) this.client.on(name, check);
    });
  }
}

/**
 * Makes a test user the way Element would: registers (or logs in a new device), creates a
 * matrix-js-sdk client with Rust crypto in memory, starts it and waits for the first sync.
 */
export async function createE2eeClient(
  homeserver: { readonly url: string },
  localpart: string,
  options: E2eeClientOptions = {},
): Promise<E2eeTestClient> {
  silenceSdkLogging();
  unrefLongTimers();
  const password = options.password ?? `${localpart}-password`;
  const credentials =
    options.login === true
      ? await loginWithPassword(homeserver.url, localpart, password, options.deviceDisplayName)
      : await registerWithPassword(homeserver.url, localpart, password, options.deviceDisplayName);
  const client = createClient({
    baseUrl: homeserver.url,
    userId: credentials.userId,
    accessToken: credentials.accessToken,
    deviceId: credentials.deviceId,
    ...(testLogger === undefined ? {} : { logger: testLogger }),
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const prepared = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState): void => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(new Error(`${credentials.userId}: first sync failed`));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
  await deviceKeysPublished(client, credentials);
  silenceSdkLogging();
  return new E2eeTestClient(client, credentials);
}

/**
 * Resolves once the homeserver hands out this device's keys, as Element's device is usable only
 * then: a room key shared before would never reach it. The crypto uploads them in the background
 * after the first sync, so the server is asked until it has them.
 */
async function deviceKeysPublished(client: MatrixClient, credentials: Credentials): Promise<void> {
  const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
  for (;;) {
    const answer = await client.downloadKeysForUsers([credentials.userId]);
    if (answer.device_keys[credentials.userId]?.[credentials.deviceId] !== undefined) return;
    if (Date.now() > deadline)
      throw new Error(`${credentials.userId}: device keys never published`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An event as a failed wait reports it: its type and step, never its body. */
function describe(event: MatrixEvent): string {
  const state = event.isBeingDecrypted()
    ? "being decrypted"
    : event.isDecryptionFailure()
      ? "not decryptable"
      : event.isEncrypted() && event.getClearContent() === null
        ? "not decrypted yet"
        : "readable";
  const content: Record<string, unknown> = event.getContent();
  const what = [
    event.getType(),
    content.msgtype,
    content["org.dsx.step"],
    content["org.dsx.prompt"],
  ];
  return `${event.getSender() ?? "?"} ${what.filter((x) => typeof x === "string").join(" ")} (${state})`;
}
