import { expect } from "chai";
import fc from "fast-check";
import { writeFile } from "node:fs/promises";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import {
  alertWorkflow,
  castOf,
  harassmentWorkflow,
  incidentWorkflow,
  vulnerabilityWorkflow,
  type Cast,
  type Workflow,
} from "./workflows.js";

/** Runs per workflow, and the seed that makes them the same every time (override: env). */
const RUNS = Number(process.env.DSX_FAULT_RUNS ?? 4);
const SEED = Number(process.env.DSX_FAULT_SEED ?? 20261201);

/** Where the kill falls: after a step's message went out, plus a moment (0–1.5 s) more. */
interface KillPoint {
  readonly after: number;
  readonly ms: number;
}

const killPoints = (steps: number) =>
  fc.record({ after: fc.nat({ max: steps - 1 }), ms: fc.integer({ min: 0, max: 1500 }) });

/**
 * Each workflow with the bot killed with SIGKILL at a point fast-check picks (after which step,
 * and how many milliseconds after it), restarted at once, and the workflow finished: every bot
 * message of every step arrives exactly once.
 */
describe("faults: the bot killed with SIGKILL at any point of a workflow", function () {
  this.timeout(900_000);
  let world: DsxWorld;
  let cast: Cast;
  let kills = 0;

  before(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    cast = await castOf(world);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && process.env.DSX_SHOW_BOT_LOG)
      await writeFile(process.env.DSX_SHOW_BOT_LOG, world.logs);
  });
  after(() => world.stop());

  async function runKilled(flow: Workflow, point: KillPoint): Promise<void> {
    for (const [index, step] of flow.steps.entries()) {
      await step.act();
      if (index === point.after) {
        // Time itself is the condition here: the kill lands that long after the message.
        await new Promise((resolve) => setTimeout(resolve, point.ms));
        await world.stopBot("SIGKILL");
        kills++;
        await world.startBot();
      }
      await step.answered();
    }
    await flow.expectEachOnce();
    const logs = world.logs;
    expect(count(logs, /"msg":"dsx-bot started"/g), "one start per kill, logged").to.equal(
      kills + 1,
    );
    expect(logs).to.not.contain("handling an event failed");
  }

  /** A fresh workflow per run (its own direct room), killed where fast-check says. */
  const property = (make: () => Workflow, examples: [KillPoint][] = []) =>
    fc.assert(
      fc.asyncProperty(killPoints(make().steps.length), async (point) => {
        await runKilled(make(), point);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true, examples },
    );

  it("an incident: report, offer, accept, ticket room, close", async () => {
    await property(() => incidentWorkflow(world, cast));
  });

  it("a vulnerability: report, notice to the affected party, acknowledgement", async () => {
    await property(() => vulnerabilityWorkflow(world, cast));
  });

  it("a harassment report: report, its room for the abuse team", async () => {
    // Found: killed just after the abuse team member joined the report's room, before the
    // job that made it had recorded it, the join found no report and the report never came.
    await property(() => harassmentWorkflow(world, cast), [[{ after: 8, ms: 5 }]]);
  });

  it("a community alert: draft, approval, post", async () => {
    const incident = incidentWorkflow(world, cast);
    await incident.run(0, incident.steps.length - 1); // the ticket room, left open
    let n = 0;
    await property(() => alertWorkflow(world, cast, incident.roomId, `Alert ${String(++n)}`));
  });
});

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}
