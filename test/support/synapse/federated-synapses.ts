import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, SynapseHomeserver, synapseSetupScript } from "./synapse-homeserver.js";

/** `shared/synapse/federation.sh`, beside the set-up script it runs. */
function federationScript(): string {
  return join(dirname(synapseSetupScript()), "federation.sh");
}

/** Four different ports nobody listens on: two client APIs, two federation listeners. */
async function fourFreePorts(): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  return [...ports];
}

/**
 * Two Synapse 1.67 homeservers that federate over TLS on 127.0.0.1 (`shared/synapse/
 * federation.sh`), prepared in one temporary folder and started together: `first` for the
 * exchange (the bot, the DSX team), `second` for the people who use another server. Their server
 * names carry the federation port (`127.0.0.1:PORT`).
 */
export class FederatedSynapses {
  private constructor(
    private readonly folder: string,
    readonly first: SynapseHomeserver,
    readonly second: SynapseHomeserver,
  ) {}

  static async start(): Promise<FederatedSynapses> {
    const script = federationScript();
    if (!existsSync(script)) throw new Error(`no Synapse federation script at ${script}`);
    const folder = await mkdtemp(join(tmpdir(), "dsx-federation-"));
    try {
      const [hs1, hs1Federation, hs2, hs2Federation] = (await fourFreePorts()).map(String);
      // federation.sh prints shell assignments for `eval`; the shell reads them, not a parser here.
      const prepared = spawnSync(
        "bash",
        [
          "-c",
          'eval "$("$0" "$1")" && printf "%s\\n" "$HS1_URL" "$HS1_SERVER_NAME" "$HS2_URL" "$HS2_SERVER_NAME"',
          script,
          folder,
        ],
        {
          encoding: "utf8",
          env: {
            ...process.env,
            HS1_PORT: hs1,
            HS1_FED_PORT: hs1Federation,
            HS2_PORT: hs2,
            HS2_FED_PORT: hs2Federation,
          },
          timeout: 15 * 60_000,
        },
      );
      const [url1, name1, url2, name2] = prepared.stdout.split("\n");
      if (prepared.status !== 0 || !url1 || !name1 || !url2 || !name2)
        throw new Error(
          `Synapse federation set-up failed (${prepared.status}): ${prepared.stderr.slice(-2000)}`,
        );
      // Both run before anything federates (federation.sh's README).
      const [first, second] = await Promise.allSettled([
        SynapseHomeserver.run({
          folder: join(folder, "hs1"),
          url: url1,
          serverName: name1,
          removeFolder: false,
        }),
        SynapseHomeserver.run({
          folder: join(folder, "hs2"),
          url: url2,
          serverName: name2,
          removeFolder: false,
        }),
      ]);
      if (first.status === "fulfilled" && second.status === "fulfilled")
        return new FederatedSynapses(folder, first.value, second.value);
      for (const started of [first, second])
        if (started.status === "fulfilled") await started.value.stop();
      throw first.status === "rejected" ? first.reason : (second as PromiseRejectedResult).reason;
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.first.stop(), this.second.stop()]);
    await rm(this.folder, { recursive: true, force: true });
  }
}
