import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import { openDatabase, type DatabaseLocation } from "../../../src/store/data-source.js";
import { createTestDatabase, worldDatabaseKind, type TestDatabase } from "../databases.js";
import { TestHomeserver, type HomeserverOptions } from "../homeserver/index.js";
import { onSynapse, SynapseHomeserver } from "../synapse/synapse-homeserver.js";
import { FederatedSynapses } from "../synapse/federated-synapses.js";
import { createE2eeClient, type E2eeTestClient } from "../clients/index.js";
import { compiledCli, startNodeFlags } from "../paths.js";
import { RunningProcess, runNode } from "../processes.js";

const BOT_PASSWORD = "bot-password-for-tests";

/** What a world runs on: the project's homeserver, or a real Synapse (`npm run test:synapse`). */
export type WorldHomeserver = TestHomeserver | SynapseHomeserver;

/** How a world is made (`DsxWorld.create`). */
export interface WorldOptions {
  /** Where the homeserver listens (default: a free port). */
  readonly homeserverPort?: number;
  /**
   * What the project's homeserver is: e.g. `{ newestSpecVersion: "v1.10" }` for a server without
   * authenticated media (as Synapse 1.67). A real Synapse (`npm run test:synapse`) is as it is.
   */
  readonly homeserver?: Pick<HomeserverOptions, "newestSpecVersion" | "legacyMedia">;
  /**
   * How long the project's homeserver takes to show one user's events, memberships, to-device
   * messages and key changes to the others' syncs (default `WORLD_DELIVERY_DELAY_MS`, or env
   * `DSX_DELIVERY_DELAY_MS`; ignored on Synapse, which has real delays).
   */
  readonly deliveryDelayMs?: number;
}

/** Matches the bot's messages of a workflow step (`org.dsx.step`), of a case if given. */
export function botStep(name: string, caseId?: string) {
  return (_body: string, event: MatrixEvent): boolean =>
    event.getContent()["org.dsx.step"] === name &&
    (caseId === undefined || event.getContent()["org.dsx.case"] === caseId);
}

/**
 * Who uses a server of their own in a federated world: the partners, the affected party
 * (pablo) and the providers. The bot, the DSX team and the committees stay on the exchange's.
 */
const PEOPLE_ON_THE_SECOND_SERVER: ReadonlySet<string> = new Set([
  "maria",
  "mario",
  "carla",
  "pablo",
  "sam",
  "fay",
]);

/** The configured rooms, created by the DSX team member with the bot invited. */
const ROOM_KEYS = [
  "triage",
  "abuseTeam",
  "advisory",
  "communityAlerts",
  "publicAlerts",
  "donors",
] as const;

/** Whether `event` comes after the event `eventId` in the room, as `person` sees it. */
export function after(person: E2eeTestClient, eventId: string, event: MatrixEvent): boolean {
  const ids = (
    person.client
      .getRoom(event.getRoomId() ?? "")
      ?.getLiveTimeline()
      .getEvents() ?? []
  ).map((e) => e.getId());
  const said = ids.indexOf(eventId);
  return said !== -1 && ids.indexOf(event.getId()) > said;
}

/**
 * The test homeserver's default delivery delay in a world: on Synapse a remote invite arrived
 * after 43-121 ms and a first encrypted message was readable after 85-432 ms over federation,
 * and even on one Synapse another user's sync sees an event some ms after the send returned.
 * 75 ms makes the bot meet such races on the test homeserver too, at little cost.
 */
export const WORLD_DELIVERY_DELAY_MS = 75;

function worldDeliveryDelayMs(): number {
  const fromEnv = process.env.DSX_DELIVERY_DELAY_MS;
  if (fromEnv === undefined || fromEnv === "") return WORLD_DELIVERY_DELAY_MS;
  const value = Number(fromEnv);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`DSX_DELIVERY_DELAY_MS must be a non-negative number, got ${fromEnv}`);
  }
  return value;
}

/**
 * A small Digital Security Exchange on the test homeserver: the DSX team member `ana` with the
 * configured rooms, partners `maria` (and `mario`, `carla`) and `pablo`, providers `sam`
 * (securelab) and `fay` (Fixers Co-op), and the bot as `npm start` runs it (the
 * compiled CLI in its own process), with its state directory kept across restarts. In a
 * federated world (`createFederated`) the partners and providers are on a second Synapse.
 */
export class DsxWorld {
  /** The worlds a test may be using: those not stopped before it (their logs show if it fails). */
  static readonly inUse: DsxWorld[] = [];
  private stopped = false;

  /** Forgets the worlds that were stopped. */
  static dropStopped(): void {
    const live = DsxWorld.inUse.filter((world) => !world.stopped);
    DsxWorld.inUse.splice(0, DsxWorld.inUse.length, ...live);
  }
  readonly clients: E2eeTestClient[] = [];
  bot: RunningProcess | undefined;
  private constructor(
    readonly homeserver: WorldHomeserver,
    readonly folder: string,
    readonly rooms: Record<(typeof ROOM_KEYS)[number], string>,
    readonly env: NodeJS.ProcessEnv,
    private readonly extraConfig: readonly string[],
    /** PostgreSQL when the tests run on it; SQLite in the state directory otherwise. */
    private postgres: TestDatabase | undefined,
    /** The two servers of a federated world (`homeserver` is the first). */
    private readonly federation: FederatedSynapses | undefined,
  ) {}

  /**
   * The project's homeserver, for a test that uses its hooks (faults, forced joins, a look at
   * its rooms); such a test calls `needsTestHomeserver` first, so on Synapse it is skipped.
   */
  get testHomeserver(): TestHomeserver {
    if (this.homeserver instanceof TestHomeserver) return this.homeserver;
    throw new Error("this test needs the project's homeserver's hooks (needsTestHomeserver)");
  }

  /** Each user with a membership event in a room, as the homeserver holds it. */
  async memberships(roomId: string): Promise<ReadonlyMap<string, string>> {
    if (this.homeserver instanceof TestHomeserver)
      return this.homeserver.room(roomId)?.members ?? new Map<string, string>();
    return this.homeserver.memberships(roomId);
  }

  /** `userId`'s membership of a room (undefined: never invited, joined or banned). */
  async membership(roomId: string, userId: string): Promise<string | undefined> {
    return (await this.memberships(roomId)).get(userId);
  }

  /** The rooms `userId` has any membership of. */
  async roomsOf(userId: string): Promise<string[]> {
    const ids =
      this.homeserver instanceof TestHomeserver
        ? this.homeserver.roomIds()
        : await this.homeserver.roomIds();
    const rooms: string[] = [];
    for (const id of ids) if ((await this.membership(id, userId)) !== undefined) rooms.push(id);
    return rooms;
  }

  get botUserId(): string {
    return `@dsx:${this.homeserver.serverName}`;
  }

  get configFile(): string {
    return join(this.folder, "bot.yaml");
  }

  /** Configures another room (an ID or an alias) as one of the bot's rooms, from its next start. */
  async useRoom(key: (typeof ROOM_KEYS)[number], reference: string): Promise<void> {
    this.rooms[key] = reference;
    await writeFile(this.configFile, this.configText());
  }

  user(localpart: string): string {
    return `@${localpart}:${this.homeserverFor(localpart).serverName}`;
  }

  /** Where a person's account is: the exchange's homeserver, or in a federated world their own. */
  homeserverFor(localpart: string): WorldHomeserver {
    return this.federation !== undefined && PEOPLE_ON_THE_SECOND_SERVER.has(localpart)
      ? this.federation.second
      : this.homeserver;
  }

  /**
   * `extraConfig`: more top-level YAML lines (e.g. `incidents: { automaticOffers: true }`);
   * `options`: the homeserver's port and, for the project's homeserver, what it is.
   */
  static async create(
    extraConfig: readonly string[] = [],
    options: WorldOptions = {},
  ): Promise<DsxWorld> {
    const homeserver = onSynapse()
      ? await SynapseHomeserver.start()
      : await TestHomeserver.start({
          ...options.homeserver,
          adminToken: "admin-token",
          port: options.homeserverPort ?? 0,
          deliveryDelayMs: options.deliveryDelayMs ?? worldDeliveryDelayMs(),
        });
    return DsxWorld.onHomeserver(homeserver, undefined, extraConfig);
  }

  /**
   * A world on two federating Synapses: the bot and the DSX team on the first, the partners and
   * providers on the second (`homeserverFor`). Only with `npm run test:synapse`.
   */
  static async createFederated(extraConfig: readonly string[] = []): Promise<DsxWorld> {
    const federation = await FederatedSynapses.start();
    return DsxWorld.onHomeserver(federation.first, federation, extraConfig);
  }

  private static async onHomeserver(
    homeserver: WorldHomeserver,
    federation: FederatedSynapses | undefined,
    extraConfig: readonly string[],
  ): Promise<DsxWorld> {
    const folder = await mkdtemp(join(tmpdir(), "dsx-world-"));
    await homeserver.registerUser("dsx", BOT_PASSWORD);
    const ana = await homeserver.registerUser("ana", "ana-password");
    const rooms = {} as Record<(typeof ROOM_KEYS)[number], string>;
    for (const key of ROOM_KEYS) {
      rooms[key] = await createRoom(homeserver.url, ana.accessToken, {
        name: key,
        preset: "private_chat",
        invite: [`@dsx:${homeserver.serverName}`],
        initial_state: [
          {
            type: "m.room.encryption",
            state_key: "",
            content: { algorithm: "m.megolm.v1.aes-sha2" },
          },
        ],
      });
    }
    const env = {
      DSX_BOT_PASSWORD: BOT_PASSWORD,
      DSX_STORE_PASSPHRASE: "store passphrase for tests",
      DSX_DATA_KEY: randomBytes(32).toString("base64"),
    };
    const postgres =
      worldDatabaseKind() === "postgres" ? await createTestDatabase("postgres") : undefined;
    const world = new DsxWorld(homeserver, folder, rooms, env, extraConfig, postgres, federation);
    await writeFile(world.configFile, world.configText());
    DsxWorld.inUse.push(world);
    return world;
  }

  configText(): string {
    const u = (name: string) => `"${this.user(name)}"`;
    return [
      `homeserver: { url: "${this.homeserver.url}", serverName: "${this.homeserver.serverName}" }`,
      `bot: { userId: ${u("dsx")}, password: "\${DSX_BOT_PASSWORD}", stateDir: ./state, storePassphrase: "\${DSX_STORE_PASSPHRASE}" }`,
      `dataKey: "\${DSX_DATA_KEY}"`,
      ...(this.postgres?.location.type === "postgres"
        ? [`database: { type: postgres, url: "${this.postgres.location.url}" }`]
        : []),
      "rooms:",
      ...ROOM_KEYS.map((key) => `  ${key}: "${this.rooms[key]}"`),
      "organisations:",
      `  - { id: dsx, role: dsx, members: [${u("ana")}] }`,
      `  - { id: rights-collective, role: partner, name: Rights Collective, members: [${u("maria")}, ${u("mario")}], affiliates: [${u("carla")}] }`,
      `  - { id: securelab, role: provider, members: [${u("sam")}], skills: [account-compromise, malware, phishing], languages: [en, es], regions: [latam] }`,
      `  - { id: fixers, role: provider, name: Fixers Co-op, members: [${u("fay")}], skills: [phishing, website-attack], languages: [es] }`,
      `  - { id: press-freedom, role: partner, members: [${u("pablo")}] }`,
      `abuseTeam: [${u("ana")}, ${u("lee")}]`,
      `advisoryCommittee: [${u("kim")}, ${u("jo")}]`,
      // A test that sets `policy:` itself gives its whole policy.
      ...(this.extraConfig.some((line) => line.startsWith("policy:"))
        ? []
        : ["policy: { undecryptable: { askToResendAfter: PT2S } }"]),
      // Scripted people write faster than anyone types: a test that sets `limits:` gives its own.
      ...(this.extraConfig.some((line) => line.startsWith("limits:"))
        ? []
        : ["limits: { reports: { count: 1000 }, messages: { perPerson: 10000, perRoom: 10000 } }"]),
      ...(this.extraConfig.some((line) => line.startsWith("logging:"))
        ? []
        : ["logging: { level: debug }"]),
      ...this.extraConfig,
      "",
    ].join("\n");
  }

  /** Starts the bot process and waits until it is ready. */
  async startBot(): Promise<RunningProcess> {
    const bot = RunningProcess.start(
      compiledCli,
      ["start", "--config", this.configFile],
      this.env,
      startNodeFlags,
    );
    this.bot = bot;
    await bot.waitForLine(/"msg":"dsx-bot ready"/, 60_000);
    return bot;
  }

  /** Stops the bot with SIGTERM (clean shutdown) or SIGKILL (a crash). */
  async stopBot(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const bot = this.bot;
    this.bot = undefined;
    const finished = await bot?.stop(signal);
    if (finished) this.stoppedLogs.push(finished.stdout, finished.stderr);
  }

  /** What the bot wrote to its log, across every start so far (the running one included). */
  get logs(): string {
    return [...this.stoppedLogs, this.bot?.stdout ?? "", this.bot?.stderr ?? ""].join("\n");
  }

  private readonly stoppedLogs: string[] = [];

  /** Runs another `dsx-bot` command on the world's configuration, to its end. */
  cli(command: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
    return runNode(compiledCli, [command, "--config", this.configFile, ...args], {
      env: { ...this.env, ...env },
      timeoutMs: 120_000,
    });
  }

  /** The state directory of the bot. */
  get stateDir(): string {
    return join(this.folder, "state");
  }

  /** `ana`, the DSX team member who made the configured rooms, on an Element-like device. */
  async dsxTeamMember(): Promise<E2eeTestClient> {
    const ana = await createE2eeClient(this.homeserver, "ana", {
      login: true,
      password: "ana-password",
    });
    this.clients.push(ana);
    return ana;
  }

  /** Matches the bot's messages that `predicate` accepts (for `waitForMessage`). */
  fromBot(
    predicate: (body: string, event: MatrixEvent) => boolean = () => true,
  ): (body: string, event: MatrixEvent) => boolean {
    return (body, event) => event.getSender() === this.botUserId && predicate(body, event);
  }

  /** Waits until the bot says in `roomId`, as `person` sees it, something `test` accepts. */
  botSaid(
    person: E2eeTestClient,
    roomId: string,
    test: (body: string) => boolean,
    timeoutMs = 60_000,
  ): Promise<MatrixEvent> {
    return person.waitForMessage(
      roomId,
      this.fromBot((body) => test(body)),
      timeoutMs,
    );
  }

  /** The bot's messages in a room as `person`'s client has them (to count repeats). */
  botMessages(person: E2eeTestClient, roomId: string): MatrixEvent[] {
    return (person.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).filter(
      (e) => e.getSender() === this.botUserId && e.getType() === "m.room.message",
    );
  }

  /** A person with Element's encryption (matrix-js-sdk, Rust crypto), registered now. */
  async person(localpart: string): Promise<E2eeTestClient> {
    const client = await createE2eeClient(this.homeserverFor(localpart), localpart);
    this.clients.push(client);
    return client;
  }

  /** Another Element-like device of someone `person` registered, logged in now on their server. */
  async anotherDevice(localpart: string): Promise<E2eeTestClient> {
    const client = await createE2eeClient(this.homeserverFor(localpart), localpart, {
      login: true,
    });
    this.clients.push(client);
    return client;
  }

  /** An encrypted direct-message room from `person` to the bot, once the bot has joined. */
  async directMessage(person: E2eeTestClient): Promise<string> {
    const roomId = await person.createEncryptedRoom({
      invite: [this.botUserId],
      isDirect: true,
      preset: "trusted_private_chat",
    });
    // As long as any other wait of a conversation: 30 s is one sync long-poll, too short a
    // margin on a loaded machine (CI once failed here, the cause not known).
    await person.waitForMemberState(roomId, this.botUserId, "join", 60_000);
    return roomId;
  }

  /** Bot messages a wait has already consumed: later waits skip them (a second report's). */
  private readonly consumed = new Set<string>();
  /** Each provider's direct room with the bot, once the first offer made it. */
  private readonly providerRooms = new Map<E2eeTestClient, string>();

  /** Waits for a bot message in a room that no earlier `next` took, and takes it. */
  async next(
    person: E2eeTestClient,
    roomId: string,
    predicate: (body: string, event: MatrixEvent) => boolean,
    timeoutMs = 60_000,
  ): Promise<MatrixEvent> {
    const event = await person.waitForMessage(
      roomId,
      this.fromBot((body, e) => !this.consumed.has(e.getId() ?? "") && predicate(body, e)),
      timeoutMs,
    );
    this.consumed.add(event.getId() ?? "");
    return event;
  }

  /** `inviter` (a member of the room) brings people into it: invited, and joined. */
  async addToRoom(
    inviter: E2eeTestClient,
    roomId: string,
    people: readonly E2eeTestClient[],
  ): Promise<void> {
    for (const person of people) {
      await inviter.invite(roomId, person.userId);
      await person.waitForMembership(roomId, "invite", 60_000);
      await person.joinRoom(roomId);
    }
  }

  /** A vulnerability in press-freedom's systems, reported step by step; its case id. */
  async reportVulnerability(
    reporter: E2eeTestClient,
    roomId: string,
    answers: { description: string; severity?: string; evidence?: string; credit?: string },
  ): Promise<string> {
    await reporter.sendText(roomId, "report vulnerability");
    await this.answerPrompts(reporter, roomId, [
      ["affected", "press-freedom"],
      ["description", answers.description],
      ["severity", answers.severity ?? "high"],
      ["evidence", answers.evidence ?? "a proof of concept"],
      ["credit", answers.credit ?? "anonymous"],
      ["share-contact", "no"],
      ["confirm", "yes"],
    ]);
    const received = await this.next(reporter, roomId, botStep("received"));
    return String(received.getContent()["org.dsx.case"]);
  }

  /** An incident (the first type, high urgency), reported step by step; its case id. */
  async reportIncident(
    reporter: E2eeTestClient,
    roomId: string,
    answers: { readonly description: string; readonly label: string },
  ): Promise<string> {
    await reporter.sendText(roomId, "report incident");
    await this.answerPrompts(reporter, roomId, [
      ["type", "1"],
      ["description", answers.description],
      ["measures", "nothing"],
      ["files", "done"],
      ["urgency", "high"],
      ["tlp", answers.label],
      ["consent", "yes"],
      ["confirm", "yes"],
    ]);
    const received = await this.next(reporter, roomId, botStep("received"));
    return String(received.getContent()["org.dsx.case"]);
  }

  /** Answers the bot's questions in order: each `[prompt, answer]` once the bot asks it. */
  async answerPrompts(
    person: E2eeTestClient,
    roomId: string,
    answers: readonly (readonly [string, string])[],
  ): Promise<void> {
    for (const [prompt, text] of answers) {
      await this.next(person, roomId, (_b, e) => e.getContent()["org.dsx.prompt"] === prompt);
      await person.sendText(roomId, text);
    }
  }

  /**
   * An incident the whole way to its ticket room: the partner reports in their direct room,
   * `ana` assigns it to the provider's organisation in triage, the provider accepts, both join
   * and the summary is posted.
   */
  async openTicketRoom(options: {
    readonly partner: E2eeTestClient;
    readonly partnerDm: string;
    readonly provider: E2eeTestClient;
    readonly providerOrg: string;
    readonly dsx: E2eeTestClient;
    readonly label: string;
    readonly description: string;
  }): Promise<{ caseId: string; roomId: string }> {
    const { partner, partnerDm, provider } = options;
    const caseId = await this.reportIncident(partner, partnerDm, options);
    await options.dsx.sendText(this.rooms.triage, `!dsx assign ${caseId} ${options.providerOrg}`);
    let providerDm = this.providerRooms.get(provider);
    if (providerDm === undefined) {
      providerDm = await provider.waitForInvite(this.botUserId, () => true, 60_000);
      await provider.joinRoom(providerDm);
      this.providerRooms.set(provider, providerDm);
    }
    const caseStep = (step: string) => (_b: string, e: MatrixEvent) =>
      e.getContent()["org.dsx.step"] === step && e.getContent()["org.dsx.case"] === caseId;
    await this.next(provider, providerDm, caseStep("offer"));
    await provider.sendText(providerDm, `accept ${caseId}`);
    const roomId = await partner.waitForInvite(this.botUserId, (r) => r.name === caseId, 60_000);
    // Both invites are in before either joins: a homeserver that joins a room between two invites
    // of its users keeps the later invite out of the room's state, and Synapse before 1.123 then
    // refuses that user's join as "not invited" (element-hq/synapse#18075).
    await provider.waitForInvite(this.botUserId, (r) => r.roomId === roomId, 60_000);
    await partner.joinRoom(roomId);
    await provider.joinRoom(roomId);
    await partner.waitForMessage(roomId, this.fromBot(caseStep("summary")), 60_000);
    return { caseId, roomId };
  }

  /** Where the bot's database is: its SQLite file, or the world's PostgreSQL database. */
  get databaseLocation(): DatabaseLocation {
    return this.postgres?.location ?? { type: "sqlite", path: join(this.stateDir, "dsx.sqlite") };
  }

  /** Reads the bot's database (stop the bot first: SQLite has one writer). */
  async database<T>(use: (manager: EntityManager) => Promise<T>): Promise<T> {
    const { dataSource } = await openDatabase(this.databaseLocation);
    try {
      return await use(dataSource.manager);
    } finally {
      await dataSource.destroy();
    }
  }

  /**
   * What the database holds, as bytes to search: the SQLite file with its WAL, or every row of
   * the PostgreSQL database as the server returns it.
   */
  async storedBytes(): Promise<Buffer> {
    if (this.postgres === undefined) {
      const names = (await readdir(this.stateDir)).filter((f) => f.startsWith("dsx.sqlite"));
      if (!names.includes("dsx.sqlite")) throw new Error("no database file in the state folder");
      return Buffer.concat(
        await Promise.all(names.map((name) => readFile(join(this.stateDir, name)))),
      );
    }
    const { dataSource } = await openDatabase(this.databaseLocation);
    try {
      const rows: unknown[] = [];
      for (const metadata of dataSource.entityMetadatas)
        rows.push(await dataSource.query(`SELECT * FROM "${metadata.tableName}"`));
      return Buffer.from(JSON.stringify(rows));
    } finally {
      await dataSource.destroy();
    }
  }

  /** The disk is lost: the state directory is gone, and so is the database's content. */
  async loseDisk(): Promise<void> {
    await rm(this.stateDir, { recursive: true, force: true });
    if (this.postgres !== undefined) {
      await this.postgres.drop();
      this.postgres = await createTestDatabase("postgres");
      await writeFile(this.configFile, this.configText());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopBot();
    await this.postgres?.drop();
    for (const client of this.clients) client.stop();
    await (this.federation ?? this.homeserver).stop();
    await rm(this.folder, { recursive: true, force: true });
  }
}

async function createRoom(
  baseUrl: string,
  accessToken: string,
  body: Record<string, unknown>,
): Promise<string> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/createRoom`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`createRoom: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { room_id: string }).room_id;
}
