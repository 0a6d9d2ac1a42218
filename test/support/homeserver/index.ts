import { Faults, type FaultSettings } from "./faults.js";
import { registerAccount, type RegisteredUser } from "./registration.js";
import { RoomView } from "./room-view.js";
import { RouteTable } from "./router.js";
import { clientServerRoutes, testHookRoutes } from "./routes/index.js";
import { HttpFrontend } from "./server.js";
import { specProfile, type SpecVersion } from "./spec-versions.js";
import { HomeserverState } from "./state/homeserver-state.js";
import { forceJoin } from "./test-hooks.js";
import { UserInteractiveAuth } from "./uia.js";

export type { FaultSettings, RegisteredUser, RoomView, SpecVersion };

export interface HomeserverOptions {
  /** The server name in user ids and room ids; default `localhost`. */
  serverName?: string;
  /** The port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** The address to bind; default `127.0.0.1`. */
  host?: string;
  /** Enables the `/_dsxtest/` HTTP hooks with this bearer token. */
  adminToken?: string;
  /** Logs every request (method, path, status) to stderr; default: env `DSX_HOMESERVER_LOG`. */
  logRequests?: boolean;
  /**
   * The newest spec version `/versions` lists (every one from r0.6.1 up to it); default `v1.12`.
   * Below `v1.11` the authenticated media endpoints (`/_matrix/client/v1/media/...`) do not
   * exist and answer `404 M_UNRECOGNIZED` as any unknown endpoint, as on Synapse before 1.100.
   */
  newestSpecVersion?: SpecVersion;
  /**
   * `false` freezes the legacy media downloads (`/_matrix/media/v3/download` and `thumbnail`
   * answer `404 M_NOT_FOUND`, as Synapse with `enable_authenticated_media` does for new media);
   * only with `newestSpecVersion` v1.11 or later. Default `true`. Upload stays on the legacy path.
   */
  legacyMedia?: boolean;
  /**
   * How long another user's change (event, membership, receipt, typing, to-device message,
   * device-list change) takes to reach a user's `/sync`, in milliseconds, as over federation;
   * the user's own changes reach all their devices at once. Default 0 (instant). Other reads
   * (`/messages`, state, members, event by id, key queries) stay immediate. See the README.
   */
  deliveryDelayMs?: number;
}

/** A Matrix homeserver for tests: in memory, on 127.0.0.1, with fault and test hooks. */
export class TestHomeserver {
  readonly serverName: string;
  /** Faults applied to client-server requests (never to `/_dsxtest/`). */
  readonly faults: { set(f: FaultSettings): void; clear(): void; held(): Promise<void> };
  private readonly state: HomeserverState;
  private readonly frontend: HttpFrontend;
  private readonly faultState: Faults;
  private port = 0;
  private readonly host: string;

  private constructor(options: HomeserverOptions) {
    this.serverName = options.serverName ?? "localhost";
    this.host = options.host ?? "127.0.0.1";
    const delay = options.deliveryDelayMs ?? 0;
    if (!Number.isFinite(delay) || delay < 0) {
      throw new Error(`deliveryDelayMs must be a non-negative number, got ${String(delay)}`);
    }
    this.state = new HomeserverState(this.serverName, delay);
    this.faultState = new Faults(() => {
      this.frontend.dropConnections();
    });
    this.faults = {
      set: (f) => {
        this.faultState.set(f);
      },
      clear: () => {
        this.faultState.clear();
      },
      held: () => this.faultState.held(),
    };
    const spec = specProfile(options.newestSpecVersion, options.legacyMedia);
    const uia = new UserInteractiveAuth(this.state);
    this.frontend = new HttpFrontend(
      this.state,
      new RouteTable(clientServerRoutes(this.state, uia, spec)),
      new RouteTable(testHookRoutes(this.state, this.faultState)),
      this.faultState,
      {
        host: this.host,
        adminToken: options.adminToken,
        log: options.logRequests ?? process.env.DSX_HOMESERVER_LOG !== undefined,
      },
    );
  }

  /** Starts a homeserver and resolves once it listens. */
  static async start(options: HomeserverOptions = {}): Promise<TestHomeserver> {
    const server = new TestHomeserver(options);
    server.port = await server.frontend.listen(options.port ?? 0);
    return server;
  }

  /** The base URL clients use, e.g. `http://127.0.0.1:34567`. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Registers a user (password defaults to `<localpart>-password`) and logs in one device. */
  registerUser(localpart: string, password?: string): Promise<RegisteredUser> {
    return Promise.resolve(
      registerAccount(this.state, localpart, password ?? `${localpart}-password`),
    );
  }

  /** Joins the user to the room whatever its rules say (a compromised server's power). */
  forceJoin(roomId: string, userId: string): void {
    forceJoin(this.state, roomId, userId);
  }

  /** A live read-only view of a room, or `undefined` if the room does not exist. */
  room(roomId: string): RoomView | undefined {
    const room = this.state.rooms.get(roomId);
    return room === undefined ? undefined : new RoomView(room);
  }

  /** Every room's ID. */
  roomIds(): string[] {
    return [...this.state.rooms.keys()];
  }

  /** How many to-device messages wait for a device's acknowledgement. */
  pendingToDeviceCount(userId: string, deviceId: string): number {
    return this.state.toDevice.pendingCount(userId, deviceId);
  }

  /** The delivery delay to other users' syncs (0: instant). */
  get deliveryDelayMs(): number {
    return this.state.stream.deliveryDelayMs;
  }

  /** Requests received and not yet answered (a parked long-poll counts). */
  get requestsInFlight(): number {
    return this.frontend.requestsInFlight;
  }

  /** Closes the listener and all connections, then listens again on the same port. */
  async restart(): Promise<void> {
    await this.frontend.close();
    await this.frontend.listen(this.port);
  }

  /** Closes the listener and every connection; releases held requests and timers. */
  async stop(): Promise<void> {
    this.faultState.clear();
    for (const room of this.state.rooms.values()) {
      for (const timer of room.typing.values()) clearTimeout(timer);
      room.typing.clear();
    }
    await this.frontend.close();
  }
}
