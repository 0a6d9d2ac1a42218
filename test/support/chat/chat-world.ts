import { assembleWorkflows } from "../../../src/bot/workflows.js";
import { createTestDatabase, worldDatabaseKind, type TestDatabase } from "../databases.js";
import { expect } from "chai";
import { MatrixEvent, type MatrixClient } from "matrix-js-sdk";
import type { DataSource } from "typeorm";
import { IsNull, MoreThan } from "typeorm";
import { MessageHandler } from "../../../src/bot/message-handler.js";
import { rateLimits, reportTeam } from "../../../src/bot/message-limits.js";
import { RoomKinds } from "../../../src/bot/room-kinds.js";
import type { MessageContent } from "../../../src/chat/bot-message.js";
import { Catalog } from "../../../src/chat/catalog.js";
import type { RoomKind } from "../../../src/chat/context.js";
import type { Command } from "../../../src/chat/command.js";
import { refusalText } from "../../../src/chat/refusal-text.js";
import { ChatRouter } from "../../../src/chat/router.js";
import { Directory } from "../../../src/config/directory.js";
import { parseConfigText } from "../../../src/config/load.js";
import type { BotConfig } from "../../../src/config/schema.js";
import { Outbox } from "../../../src/matrix/outbox.js";
import { RoomMaker } from "../../../src/matrix/rooms.js";
import { createLogger } from "../../../src/log/log.js";
import { Scheduler } from "../../../src/schedule/scheduler.js";
import { openDatabase } from "../../../src/store/data-source.js";
import { OutgoingMessage } from "../../../src/store/entities/outgoing-message.js";
import { ScheduledJob } from "../../../src/store/entities/scheduled-job.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { transaction } from "../../../src/store/transaction.js";

const CONFIG_TEXT = `
homeserver: { url: "https://matrix.example.org", serverName: example.org }
bot: { userId: "@dsx:example.org", accessToken: "t", storePassphrase: "twelve chars!" }
dataKey: ${Buffer.alloc(32, 7).toString("base64")}
rooms: { triage: "!triage:x.org", abuseTeam: "!abuse:x.org", advisory: "!advisory:x.org", communityAlerts: "!green:x.org", publicAlerts: "!white:x.org", donors: "!donors:x.org" }
organisations:
  - { id: dsx, role: dsx, members: ["@ana:example.org"] }
  - { id: rights-collective, role: partner, name: Rights Collective, members: ["@maria:example.org"], affiliates: ["@carla:example.org"] }
  - { id: press-freedom, role: partner, members: ["@pablo:example.org"] }
  - { id: securelab, role: provider, members: ["@sam:example.org"], skills: [account-compromise, malware, phishing], languages: [en, es] }
  - { id: fixers, role: provider, name: Fixers Co-op, members: ["@fay:example.org"], skills: [website-attack], languages: [en] }
abuseTeam: ["@ana:example.org", "@lee:example.org"]
advisoryCommittee: ["@kim:example.org", "@jo:example.org"]
policy: { disclosure: { advisoryQuorum: 1 } }
# The fuzz tests send hundreds of messages a minute, as one person.
limits: { reports: { count: 100000 }, messages: { perPerson: 1000000, perRoom: 1000000 } }
`;

/** The people of the world, by localpart. */
export const PEOPLE = {
  ana: "@ana:example.org",
  maria: "@maria:example.org",
  carla: "@carla:example.org",
  pablo: "@pablo:example.org",
  sam: "@sam:example.org",
  lee: "@lee:example.org",
  kim: "@kim:example.org",
  stranger: "@stranger:elsewhere.org",
} as const;

const BOT = "@dsx:example.org";

/** What the bot queued in answer to one event, as the outbox holds it before sending. */
export interface Queued {
  readonly roomId: string;
  readonly content: MessageContent;
}

/** The room kinds of this world: the configured rooms, case rooms opened by tests, direct rooms. */
class ScriptedRoomKinds extends RoomKinds {
  readonly kinds = new Map<string, RoomKind>();
  override kindOf(roomId: string): RoomKind {
    return this.configuredKind(roomId) ?? this.kinds.get(roomId) ?? "direct";
  }
}

/**
 * A Matrix client with no network: who the bot is and which rooms it knows (none). Anything
 * else is a call the chat layer should never make while handling a message, and throws.
 */
function offlineClient(): MatrixClient {
  const known: Record<string, unknown> = {
    getSafeUserId: () => BOT,
    getUserId: () => BOT,
    getRoom: () => null,
    getRooms: () => [],
  };
  return new Proxy(known, {
    get: (target, name) => {
      if (typeof name === "string" && name in target) return target[name];
      if (name === "then") return undefined;
      throw new Error(`no network in this test: client.${String(name)}`);
    },
  }) as unknown as MatrixClient;
}

/**
 * The bot's chat side assembled as `src/bot/bot.ts` assembles it (every workflow's chat module,
 * the message handler, the outbox), over an in-memory SQLite database and a Matrix client with
 * no network. `event()` hands an event to the message handler in a transaction, as the inbox
 * does, and returns what the outbox queued for it (the outbox is never flushed).
 */
export class ChatWorld {
  private counter = 0;
  private overflowQuery: string | undefined;
  /** Rooms the tests opened as case rooms, by case id. */
  readonly caseRooms = new Map<string, string>();

  private constructor(
    readonly dataSource: DataSource,
    readonly config: BotConfig,
    readonly handler: MessageHandler,
    readonly scheduler: Scheduler,
    readonly roomKinds: ScriptedRoomKinds,
    private readonly router: ChatRouter,
    private readonly cipher: FieldCipher,
    /** The PostgreSQL database when the tests run on it (SQLite in memory otherwise). */
    private readonly database: TestDatabase | undefined,
  ) {}

  /** A catalogue text in English, as the plain body shows it (no placeholders filled). */
  catalogText(key: string): string {
    return Catalog.load().template("en", key).replace(/\*\*/g, "");
  }

  /** The words of every command the router knows (core and workflows). */
  commandWords(): (readonly string[])[] {
    return this.router.commands.map((command) => command.words);
  }

  /** Every command the router knows (core and workflows), as declared. */
  commands(): readonly Command[] {
    return this.router.commands;
  }

  static async create(): Promise<ChatWorld> {
    const parsed = parseConfigText(CONFIG_TEXT, {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config = parsed.config;
    const directory = new Directory(config);
    const database =
      worldDatabaseKind() === "postgres" ? await createTestDatabase("postgres") : undefined;
    const { dataSource } = await openDatabase(
      database?.location ?? { type: "sqlite", path: ":memory:" },
    );
    const client = offlineClient();
    const log = createLogger("fatal");
    const cipher = new FieldCipher(config.dataKey);
    const catalog = Catalog.load();
    const roomKinds = new ScriptedRoomKinds(client);
    for (const key of Object.keys(config.rooms) as (keyof BotConfig["rooms"])[])
      roomKinds.setConfigured(key, config.rooms[key]);
    const rooms = new RoomMaker(
      client,
      (roomId) => roomKinds.configuredKind(roomId) !== undefined,
      log,
    );
    const workflows = assembleWorkflows({
      client,
      dataSource,
      config,
      directory: () => directory,
      cipher,
      catalog,
      roomKinds,
      rooms,
      say: (manager, roomId, message) => outbox.enqueue(manager, roomId, message, null),
      jobs: (): Scheduler => scheduler,
      moderatedRooms: () => [...Object.values(config.rooms), ...roomKinds.kinds.keys()],
      log,
    });
    const outbox: Outbox = new Outbox({
      client,
      dataSource,
      cipher,
      directory: () => directory,
      exchanges: workflows.exchanges,
      explain: (refusal) =>
        Promise.resolve(refusalText(catalog, "en", config.policy.tlpNames, refusal)),
      tlpNames: config.policy.tlpNames,
      log,
    });
    const scheduler: Scheduler = new Scheduler({
      dataSource,
      tasks: workflows.tasks,
      log,
    });
    const router = new ChatRouter(workflows.modules);
    const handler = new MessageHandler({
      router,
      outbox,
      catalog,
      cipher,
      directory: () => directory,
      roomKinds,
      tlpNames: config.policy.tlpNames,
      media: client,
      maxFileBytes: () => config.incidents.attachments.maxBytes,
      sharesDsxRoom: (userId) => userId === PEOPLE.stranger,
      reader: () => dataSource.manager,
      limits: rateLimits(config, cipher),
      reportTeam: (kind) => reportTeam(config, kind),
      log,
    });
    return new ChatWorld(
      dataSource,
      config,
      handler,
      scheduler,
      roomKinds,
      router,
      cipher,
      database,
    );
  }

  /** The direct room of a person with the bot. */
  dm(userId: string): string {
    return `!dm-${userId.slice(1).replace(/:/g, "-")}:x.org`;
  }

  get triage(): string {
    return this.config.rooms.triage;
  }

  /** A room event from `sender`, handled as the inbox does; returns what the bot queued. */
  async event(
    roomId: string,
    sender: string,
    content: Record<string, unknown>,
    type = "m.room.message",
  ): Promise<Queued[]> {
    const event = new MatrixEvent({
      type,
      room_id: roomId,
      sender,
      content,
      event_id: `$fuzz${String(++this.counter)}`,
      origin_server_ts: Date.now(),
    });
    const before = await this.lastOutgoingId();
    await transaction(this.dataSource, (manager) => this.handler.handle(event, manager));
    await this.expectColumnsFit();
    return this.queuedAfter(before);
  }

  /**
   * SQLite keeps a text longer than its `varchar(n)` column; PostgreSQL refuses it, and the
   * handler would fail there. Checked after every event, so fuzzing on SQLite finds it too.
   */
  async expectColumnsFit(): Promise<void> {
    this.overflowQuery ??= this.dataSource.entityMetadatas
      .flatMap((entity) =>
        entity.columns
          .filter((column) => column.type === "varchar" && Number(column.length) > 0)
          .map(
            (column) =>
              `SELECT '${entity.tableName}.${column.databaseName}' AS col FROM "${entity.tableName}" WHERE length("${column.databaseName}") > ${String(Number(column.length))}`,
          ),
      )
      .join(" UNION ");
    const overflowing = await this.dataSource.query<{ col: string }[]>(this.overflowQuery);
    expect(
      overflowing.map((row) => row.col),
      "columns longer than PostgreSQL takes",
    ).to.deep.equal([]);
  }

  /** A text message (`m.text`). */
  say(roomId: string, sender: string, body: string): Promise<Queued[]> {
    return this.event(roomId, sender, { msgtype: "m.text", body });
  }

  /**
   * Fires the pending jobs of one kind as the scheduler would once their network work is done:
   * `prepared` stands in for that work's result (a room made, say).
   */
  async fireJobs(kind: string, prepared: (job: ScheduledJob) => unknown): Promise<Queued[]> {
    const task = (
      this.scheduler as unknown as {
        tasks: ReadonlyMap<
          string,
          {
            execute: (
              job: ScheduledJob,
              manager: Parameters<Outbox["enqueue"]>[0],
              prepared: unknown,
            ) => Promise<void>;
          }
        >;
      }
    ).tasks.get(kind);
    if (!task) throw new Error(`no task ${kind}`);
    const before = await this.lastOutgoingId();
    const jobs = await this.dataSource.manager.find(ScheduledJob, {
      where: { kind, firedAt: IsNull() },
      order: { id: "ASC" },
    });
    for (const job of jobs) {
      await transaction(this.dataSource, async (manager) => {
        await task.execute(job, manager, prepared(job));
        await manager.update(ScheduledJob, { id: job.id }, { firedAt: Date.now() });
      });
    }
    return this.queuedAfter(before);
  }

  /** Runs a case-room job with a room of this kind made for it, and records the room. */
  async openCaseRoom(jobKind: string, roomKind: RoomKind): Promise<string[]> {
    const made: string[] = [];
    await this.fireJobs(jobKind, (job) => {
      const roomId = `!${roomKind}-${job.caseId ?? ""}:x.org`;
      this.roomKinds.kinds.set(roomId, roomKind);
      this.caseRooms.set(job.caseId ?? "", roomId);
      made.push(roomId);
      return roomId;
    });
    return made;
  }

  /** How many jobs were ever scheduled (some commands answer from a job, after network work). */
  jobCount(): Promise<number> {
    return this.dataSource.manager.count(ScheduledJob);
  }

  private async lastOutgoingId(): Promise<number> {
    const last = await this.dataSource.manager.find(OutgoingMessage, {
      order: { id: "DESC" },
      take: 1,
    });
    return last[0]?.id ?? 0;
  }

  private async queuedAfter(id: number): Promise<Queued[]> {
    const rows = await this.dataSource.manager.find(OutgoingMessage, {
      where: { id: MoreThan(id) },
      order: { id: "ASC" },
    });
    return rows.map((row) => {
      const sealed = JSON.parse(
        this.cipher.decrypt(row.content ?? "", `outgoing_message.content:${row.txnId}`),
      ) as { content: MessageContent };
      return { roomId: row.roomId, content: sealed.content };
    });
  }

  async stop(): Promise<void> {
    await this.dataSource.destroy();
    await this.database?.drop();
  }
}
