import { expect } from "chai";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { pollUntil } from "../../support/poll.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

/** Lines of `/metrics` may be comments, or a dsx_ metric with a label or kind and a number. */
/** A line of /metrics: the bot's own counts, or the process's memory; no other labels. */
const METRIC_LINE =
  /^(?:# (?:HELP|TYPE) (?:dsx|process|nodejs)_\w+ .+|(?:dsx|process|nodejs)_\w+(?:\{(?:label|kind)="[A-Za-z+]+"\})? [0-9.e+-]+)$/;

describe("the health and metrics endpoint of a running bot", function () {
  this.timeout(180_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create(["ops: { metrics: { host: 127.0.0.1, port: 0 } }"]);
  });
  afterEach(async () => {
    await world.stop();
  });

  it("is ready when synced; while the homeserver holds every request it is not, /metrics still answers; then ready again", async function () {
    needsTestHomeserver(this, "injects homeserver faults");
    const bot = await world.startBot();
    const line = await bot.waitForLine(/"msg":"health and metrics endpoint listening"/);
    const { port } = JSON.parse(line) as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const readyz = async () => {
      const response = await fetch(`${base}/readyz`);
      return {
        status: response.status,
        body: (await response.json()) as { checks: Record<string, boolean> },
      };
    };
    const metrics = async () => {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).to.equal(200);
      return response.text();
    };
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    await pollUntil("ready", async () => (await readyz()).status === 200, 30_000);

    // A conversation, so that there is something to count (and nothing of it must show).
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "help");
    await world.botSaid(maria, room, (b) => b.includes("Here is what you can ask me"));
    await pollUntil(
      "the help request counted",
      async () => /^dsx_events_handled_total [1-9]/m.test(await metrics()),
      30_000,
    );
    const text = await metrics();
    expect(text).to.contain("dsx_ready 1\n");
    expect(text).to.contain('dsx_open_cases{kind="incident"} 0\n');
    expect(text).to.contain("dsx_schedule_lag_seconds ");
    expect(text).to.contain("dsx_undecryptable_events 0\n");
    // The process's memory, in bytes: more than the 10 MB any Node process with a heap holds.
    const resident = Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
    expect(resident).to.be.greaterThan(10_000_000);
    expect(text).to.match(/^nodejs_external_memory_bytes [1-9]\d*$/m);
    for (const sample of text.trimEnd().split("\n")) expect(sample).to.match(METRIC_LINE);
    expect(text).to.not.contain("maria").and.to.not.contain(world.testHomeserver.serverName);

    // The homeserver stops answering: the sync breaks off and waits.
    world.testHomeserver.faults.set({ paused: true, dropConnections: true });
    await pollUntil(
      "not ready while the homeserver is paused",
      async () => {
        const answer = await readyz();
        return answer.status === 503 && answer.body.checks["sync"] === false;
      },
      60_000,
    );
    expect((await readyz()).body.checks["database"]).to.equal(true);
    expect(await metrics()).to.contain("dsx_ready 0\n");
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);

    world.testHomeserver.faults.clear();
    await pollUntil("ready again", async () => (await readyz()).status === 200, 60_000);
    expect(await metrics()).to.contain("dsx_ready 1\n");

    const result = await world.stopBot().then(() => bot.exited);
    expect(result.code, result.stderr).to.equal(0);
    let refused = false;
    await fetch(`${base}/healthz`).catch(() => (refused = true));
    expect(refused, "the endpoint stops with the bot").to.equal(true);
  });
});
