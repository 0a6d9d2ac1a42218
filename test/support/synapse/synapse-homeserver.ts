import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerWithPassword, type Credentials } from "../clients/registration.js";
import { repositoryRoot } from "../paths.js";
import { pollUntil } from "../poll.js";

/**
 * Where `shared/synapse/setup.sh` is: `DSX_SYNAPSE_SETUP`, else the `shared/` folder beside the
 * repository (as the sessions and CI have it).
 */
export function synapseSetupScript(): string {
  return (
    process.env.DSX_SYNAPSE_SETUP ?? join(repositoryRoot, "..", "shared", "synapse", "setup.sh")
  );
}

/** Whether the tests run against Synapse (`npm run test:synapse` sets `DSX_TEST_HOMESERVER`). */
export function onSynapse(): boolean {
  return process.env.DSX_TEST_HOMESERVER === "synapse";
}

/** A port nobody listens on now (Synapse needs one in its configuration before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address !== null) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/**
 * A real Synapse 1.67 on 127.0.0.1 for one test world, prepared by `shared/synapse/setup.sh` in
 * a folder of its own (SQLite, open registration) and stopped by `stop`. Users register as any
 * client does, through the user-interactive flow.
 */
export class SynapseHomeserver {
  readonly kind = "synapse" as const;
  private output = "";

  private constructor(
    readonly url: string,
    readonly serverName: string,
    private readonly process: ChildProcess,
    /** Its set-up folder: `data/secrets.env` holds the registration shared secret. */
    private readonly folder: string,
    /** Whether `stop` removes the folder (a federated pair removes theirs itself). */
    private readonly removeFolder: boolean,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-20_000);
    };
    process.stdout?.on("data", keep);
    process.stderr?.on("data", keep);
  }

  static async start(): Promise<SynapseHomeserver> {
    const script = synapseSetupScript();
    if (!existsSync(script)) throw new Error(`no Synapse set-up script at ${script}`);
    const folder = await mkdtemp(join(tmpdir(), "dsx-synapse-"));
    const port = await freePort();
    const setup = spawnSync("bash", [script, folder, String(port)], {
      encoding: "utf8",
      env: process.env,
      timeout: 15 * 60_000,
    });
    if (setup.status !== 0) {
      await rm(folder, { recursive: true, force: true });
      throw new Error(`Synapse set-up failed (${setup.status}): ${setup.stderr.slice(-2000)}`);
    }
    return SynapseHomeserver.run({
      folder,
      url: `http://127.0.0.1:${port}`,
      serverName: "localhost",
      removeFolder: true,
    });
  }

  /**
   * Runs a Synapse that a set-up script prepared in `folder` (its `venv` and
   * `data/homeserver.yaml`) and resolves once it answers.
   */
  static async run(prepared: {
    readonly folder: string;
    readonly url: string;
    readonly serverName: string;
    readonly removeFolder: boolean;
  }): Promise<SynapseHomeserver> {
    const { folder } = prepared;
    const child = spawn(
      join(folder, "venv", "bin", "python"),
      ["-m", "synapse.app.homeserver", "--config-path", join(folder, "data", "homeserver.yaml")],
      { cwd: folder, stdio: ["ignore", "pipe", "pipe"] },
    );
    const server = new SynapseHomeserver(
      prepared.url,
      prepared.serverName,
      child,
      folder,
      prepared.removeFolder,
    );
    try {
      await server.untilAnswering();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** The end of Synapse's own log (for a failed test). */
  get log(): string {
    return this.output;
  }

  /** Registers a user as a client would (password defaults to `<localpart>-password`). */
  registerUser(localpart: string, password?: string): Promise<Credentials> {
    return registerWithPassword(this.url, localpart, password ?? `${localpart}-password`);
  }

  /** Every room the server knows, as its admin API lists them. */
  async roomIds(): Promise<string[]> {
    const listed = (await this.admin("GET", "/_synapse/admin/v1/rooms?limit=10000")) as {
      rooms: { room_id: string }[];
    };
    return listed.rooms.map((room) => room.room_id);
  }

  /** Each user with a membership event in a room, mapped to their current membership. */
  async memberships(roomId: string): Promise<ReadonlyMap<string, string>> {
    const { state } = (await this.admin(
      "GET",
      `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/state`,
    )) as { state: { type: string; state_key: string; content: { membership?: unknown } }[] };
    const members = new Map<string, string>();
    for (const event of state)
      if (event.type === "m.room.member" && typeof event.content.membership === "string")
        members.set(event.state_key, event.content.membership);
    return members;
  }

  private adminToken: Promise<string> | undefined;

  /** A request of the admin API, as a server admin registered with the shared secret. */
  private async admin(method: string, path: string): Promise<unknown> {
    this.adminToken ??= this.registerAdmin();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.adminToken}` },
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** `POST /_synapse/admin/v1/register`: a nonce, then the HMAC of the new admin's details. */
  private async registerAdmin(): Promise<string> {
    const secrets = await readFile(join(this.folder, "data", "secrets.env"), "utf8");
    const secret = /^REGISTRATION_SHARED_SECRET=(.*)$/m.exec(secrets)?.[1]?.trim();
    if (!secret) throw new Error("no REGISTRATION_SHARED_SECRET in Synapse's secrets.env");
    const endpoint = `${this.url}/_synapse/admin/v1/register`;
    const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
    const [username, password] = ["synapse-admin", "synapse-admin-password"];
    const mac = createHmac("sha1", secret)
      .update([nonce, username, password, "admin"].join("\0"))
      .digest("hex");
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nonce, username, password, admin: true, mac }),
    });
    if (!response.ok) throw new Error(`admin registration: ${response.status}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Resolves once `/versions` answers; fails if Synapse exits first or takes a minute. */
  private async untilAnswering(): Promise<void> {
    await pollUntil(
      "Synapse to answer /versions",
      async () => {
        if (this.process.exitCode !== null || this.process.signalCode !== null)
          throw new Error(
            `Synapse exited (${this.process.exitCode}) before it answered:\n${this.output}`,
          );
        return fetch(`${this.url}/_matrix/client/versions`).then(
          (response) => response.ok,
          () => false,
        );
      },
      60_000,
      100,
    );
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once("exit", resolve));
      this.process.kill("SIGTERM");
      const killer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    if (this.removeFolder) await rm(this.folder, { recursive: true, force: true });
  }
}
