import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { castOf, harassmentWorkflow, vulnerabilityWorkflow, type Cast } from "./workflows.js";

/** The bot's message sends (its transaction IDs start with `dsx-`), and nothing else. */
const BOT_SENDS = "/send/m\\.room\\.encrypted/dsx-";
/** A path pattern that holds nothing. */
const NOTHING = "(?!)";
const WAIT = 60_000;

/**
 * Homeserver faults in the middle of a workflow: the workflow completes, every bot message
 * arrives once, and the bot's log says what it went through.
 */
describe("faults: the homeserver fails during a workflow", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  let cast: Cast;

  before(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    cast = await castOf(world);
  });
  afterEach(async function () {
    world.testHomeserver.faults.clear();
    if (this.currentTest?.state === "failed" && process.env.DSX_SHOW_BOT_LOG)
      await writeFile(process.env.DSX_SHOW_BOT_LOG, world.logs);
  });
  after(() => world.stop());

  /** Resolves when the bot's next send reaches the homeserver and is held there. */
  async function holdBotSend(): Promise<void> {
    const held = world.testHomeserver.faults.held();
    world.testHomeserver.faults.set({ holdPaths: BOT_SENDS });
    await withDeadline(held, "the bot's next send");
  }

  /** Where the running bot's log is now, to look for lines after it. */
  const logMark = () => world.bot?.stdout.length ?? 0;
  /** Lines of the running bot's log matching, from `since` (a mark) on. */
  const logLines = (pattern: RegExp, since: number) =>
    (world.bot?.stdout ?? "")
      .slice(since)
      .split("\n")
      .filter((line) => pattern.test(line));

  /** Waits for `times` log lines matching (from `since` on), within the deadline. */
  async function logSays(pattern: RegExp, since: number, times = 1): Promise<void> {
    const deadline = Date.now() + WAIT;
    while (logLines(pattern, since).length < times) {
      if (Date.now() > deadline) throw new Error(`the log never said ${String(pattern)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("its sends fail with 5xx N times: it backs off, retries, and each message lands once", async () => {
    const flow = vulnerabilityWorkflow(world, cast);
    const confirm = flow.steps.findIndex((s) => s.name === "answer confirm");
    await flow.run(0, confirm);
    const since = logMark();
    // The confirmation's answers (the receipt, the notice) meet 500, 502, 503 in turn.
    const failing = (async () => {
      for (const [n, status] of [500, 502, 503].entries()) {
        await holdBotSend();
        world.testHomeserver.faults.set({ failNext: 1, status, holdPaths: NOTHING, paused: false });
        // The bot saw this failure before the next is set up.
        await logSays(/"msg":"sending failed; will retry"/, since, n + 1);
      }
    })();
    await flow.run(confirm, confirm + 1);
    await failing;
    await flow.run(confirm + 1);
    await flow.expectEachOnce();
    const retries = logLines(/"msg":"sending failed; will retry"/, since).map(
      (line) => JSON.parse(line) as { roomId: string; attempt: number; error: { message: string } },
    );
    // Each failure was one send's (the receipt's and the notice's rooms send side by side).
    expect(retries.map((r) => /\[(\d+)\]/.exec(r.error.message)?.[1])).to.deep.equal([
      "500",
      "502",
      "503",
    ]);
    // Each room's tries count up: it backed off and tried the same message again.
    for (const roomId of new Set(retries.map((r) => r.roomId))) {
      const attempts = retries.filter((r) => r.roomId === roomId).map((r) => r.attempt);
      expect(attempts).to.deep.equal(attempts.map((_a, i) => i + 1));
    }
    expect(world.bot?.child.exitCode).to.equal(null);
  });

  it("it is paused for a while and then drops every connection: the sync reconnects, nothing is lost or doubled", async () => {
    const flow = harassmentWorkflow(world, cast);
    const confirm = flow.steps.findIndex((s) => s.name === "answer confirm");
    await flow.run(0, confirm);
    const since = logMark();
    await flow.steps[confirm]?.act();
    world.testHomeserver.faults.set({ paused: true });
    // Time is the condition: the homeserver answers nothing for three seconds.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    world.testHomeserver.faults.set({ dropConnections: true });
    world.testHomeserver.faults.clear();
    await flow.steps[confirm]?.answered();
    await flow.run(confirm + 1);
    await flow.expectEachOnce();
    await logSays(/"msg":"lost the homeserver; the sync retries"/, since);
    await logSays(/"msg":"the homeserver is back; the sync goes on"/, since);
  });

  it("it drops the connection of a send: the send is retried under its transaction ID, once", async () => {
    const flow = vulnerabilityWorkflow(world, cast);
    const ack = flow.steps.findIndex((s) => s.name === "ack");
    await flow.run(0, ack);
    const since = logMark();
    await flow.steps[ack]?.act();
    await holdBotSend();
    world.testHomeserver.faults.set({ dropConnections: true });
    world.testHomeserver.faults.clear();
    await flow.steps[ack]?.answered();
    await flow.expectEachOnce();
    await logSays(/"msg":"sending failed; will retry"/, since);
  });

  it("it restarts (keeping its state) while the bot sends: the bot reconnects and finishes", async () => {
    const flow = harassmentWorkflow(world, cast);
    const confirm = flow.steps.findIndex((s) => s.name === "answer confirm");
    await flow.run(0, confirm);
    const since = logMark();
    await flow.steps[confirm]?.act();
    await holdBotSend();
    await world.testHomeserver.restart();
    world.testHomeserver.faults.clear();
    await flow.steps[confirm]?.answered();
    await flow.run(confirm + 1);
    await flow.expectEachOnce();
    await logSays(/"msg":"sending failed; will retry"/, since);
    expect(world.bot?.child.exitCode).to.equal(null);
  });
});

function withDeadline<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${what}: nothing within ${String(ms)} ms`));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}
