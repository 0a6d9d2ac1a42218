import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestHomeserver } from "../test/support/homeserver/index.js";
import { createE2eeClient, type E2eeTestClient } from "../test/support/clients/index.js";
import { compiledCli, startNodeFlags } from "../test/support/paths.js";
import { RunningProcess } from "../test/support/processes.js";

const BOT_PASSWORD = "bot-password-for-bench";
const ROOM_KEYS = [
  "triage",
  "abuseTeam",
  "advisory",
  "communityAlerts",
  "publicAlerts",
  "donors",
] as const;

/** Partners (`partner-1` …) known to the directory, and the people of seeded ticket rooms. */
export const PARTNER_ORG = "bench-partners";
export const TICKET_PARTNER = "ticket-partner";
export const TICKET_PROVIDER = "ticket-provider";

/** The bot as `dsx-bot start` runs it, in its own process, with its metrics endpoint. */
export class BotProcess {
  private constructor(
    readonly process: RunningProcess,
    readonly startedAt: number,
  ) {}

  static start(configFile: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[]) {
    const child = spawn(
      process.execPath,
      [...nodeArgs, ...startNodeFlags, compiledCli, "start", "--config", configFile],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    return new BotProcess(new RunningProcess(child), performance.now());
  }

  get pid(): number {
    return this.process.child.pid ?? 0;
  }

  /** Resident and peak resident memory of the bot process now, in MB (from /proc). */
  memory(): { rssMb: number; peakRssMb: number } {
    const status = readFileSync(`/proc/${String(this.pid)}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
  }

  /** CPU time (user and system) the bot process has used so far, in ms (from /proc). */
  cpuMs(): number {
    const fields = readFileSync(`/proc/${String(this.pid)}/stat`, "utf8")
      .split(") ")[1]
      ?.split(" ");
    // utime and stime, the 12th and 13th fields after the command name, in clock ticks (1/100 s).
    return (Number(fields?.[11] ?? 0) + Number(fields?.[12] ?? 0)) * 10;
  }

  async ready(timeoutMs: number): Promise<void> {
    await this.process.waitForLine(/"msg":"dsx-bot ready"/, timeoutMs);
  }

  /** A counter of the Prometheus endpoint (the `ops.metrics` port the bot logged). */
  async metric(name: string): Promise<number> {
    const line = await this.process.waitForLine(
      /"msg":"health and metrics endpoint listening"/,
      300_000,
    );
    const { port } = JSON.parse(line) as { port: number };
    const text = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    const found = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
    return Number(found?.[1] ?? Number.NaN);
  }

  async stop(): Promise<void> {
    await this.process.stop("SIGTERM", 30_000);
  }
}

/**
 * A test homeserver with the configured rooms and a bot configuration whose directory knows
 * `partners` partner accounts (`partner-1` …), a provider, and the people of seeded ticket rooms.
 */
export class BenchWorld {
  readonly clients: E2eeTestClient[] = [];
  bot: BotProcess | undefined;

  private constructor(
    readonly homeserver: TestHomeserver,
    readonly folder: string,
    readonly botAccessToken: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(partners: number): Promise<BenchWorld> {
    const homeserver = await TestHomeserver.start({ adminToken: "bench-admin-token" });
    const folder = await mkdtemp(join(tmpdir(), "dsx-bench-"));
    const bot = await homeserver.registerUser("dsx", BOT_PASSWORD);
    const ana = await homeserver.registerUser("ana", "ana-password");
    await homeserver.registerUser(TICKET_PARTNER);
    await homeserver.registerUser(TICKET_PROVIDER);
    const env = {
      DSX_BOT_PASSWORD: BOT_PASSWORD,
      DSX_STORE_PASSPHRASE: "store passphrase for the benchmark",
      DSX_DATA_KEY: randomBytes(32).toString("base64"),
    };
    const world = new BenchWorld(homeserver, folder, bot.accessToken, env);
    const rooms: string[] = [];
    for (const key of ROOM_KEYS) {
      rooms.push(
        await world.createRoom(ana.accessToken, {
          name: key,
          preset: "private_chat",
          invite: [world.botUserId],
          initial_state: [
            {
              type: "m.room.encryption",
              state_key: "",
              content: { algorithm: "m.megolm.v1.aes-sha2" },
            },
          ],
        }),
      );
    }
    await writeFile(world.configFile, world.configText(partners, rooms));
    return world;
  }

  get botUserId(): string {
    return this.user("dsx");
  }

  get configFile(): string {
    return join(this.folder, "bot.yaml");
  }

  get databaseFile(): string {
    return join(this.folder, "state", "dsx.sqlite");
  }

  user(localpart: string): string {
    return `@${localpart}:${this.homeserver.serverName}`;
  }

  private configText(partners: number, rooms: readonly string[]): string {
    const u = (name: string) => `"${this.user(name)}"`;
    const partnerIds = Array.from({ length: partners }, (_, i) => u(`partner-${String(i + 1)}`));
    return [
      `homeserver: { url: "${this.homeserver.url}", serverName: ${this.homeserver.serverName} }`,
      `bot: { userId: ${u("dsx")}, password: "\${DSX_BOT_PASSWORD}", stateDir: ./state, storePassphrase: "\${DSX_STORE_PASSPHRASE}" }`,
      `dataKey: "\${DSX_DATA_KEY}"`,
      "rooms:",
      ...ROOM_KEYS.map((key, i) => `  ${key}: "${rooms[i] ?? ""}"`),
      "organisations:",
      `  - { id: dsx, role: dsx, members: [${u("ana")}] }`,
      `  - { id: ${PARTNER_ORG}, role: partner, members: [${[...partnerIds, u(TICKET_PARTNER)].join(", ")}] }`,
      `  - { id: securelab, role: provider, members: [${u(TICKET_PROVIDER)}], skills: [phishing] }`,
      `abuseTeam: [${u("ana")}]`,
      `advisoryCommittee: [${u("ana")}, ${u("kim")}]`,
      "logging: { level: info }",
      "ops: { metrics: { host: 127.0.0.1, port: 0 } }",
      "",
    ].join("\n");
  }

  /** Starts the bot process (`nodeArgs`: e.g. `--cpu-prof`); does not wait for it. */
  spawnBot(nodeArgs: readonly string[] = []): BotProcess {
    this.bot = BotProcess.start(this.configFile, { ...this.env }, nodeArgs);
    return this.bot;
  }

  /** Stops the bot; with `DSX_BENCH_BOT_LOGS=<folder>` its output is kept there. */
  async stopBot(): Promise<void> {
    const bot = this.bot;
    this.bot = undefined;
    await bot?.stop();
    const folder = process.env["DSX_BENCH_BOT_LOGS"];
    if (bot && folder) {
      await mkdir(folder, { recursive: true });
      await writeFile(
        join(folder, `bot-${String(bot.pid)}.log`),
        bot.process.stdout + bot.process.stderr,
      );
    }
  }

  /** Partner `partner-<n>` on an Element-like E2EE device, with a direct room with the bot. */
  async partnerWithDirectRoom(n: number): Promise<{ partner: E2eeTestClient; roomId: string }> {
    const partner = await createE2eeClient(this.homeserver, `partner-${String(n)}`);
    this.clients.push(partner);
    const roomId = await partner.createEncryptedRoom({
      invite: [this.botUserId],
      isDirect: true,
      preset: "trusted_private_chat",
    });
    await partner.waitForMemberState(roomId, this.botUserId, "join", 60_000);
    return { partner, roomId };
  }

  /** Creates a room over the client-server API as the holder of `accessToken`. */
  async createRoom(accessToken: string, body: object): Promise<string> {
    const response = await fetch(`${this.homeserver.url}/_matrix/client/v3/createRoom`, {
      method: "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`createRoom: ${String(response.status)}`);
    return ((await response.json()) as { room_id: string }).room_id;
  }

  async stop(): Promise<void> {
    await this.stopBot();
    for (const client of this.clients) client.stop();
    await this.homeserver.stop();
    await rm(this.folder, { recursive: true, force: true });
  }
}
