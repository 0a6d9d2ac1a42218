import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { cutOffPostgres, worldDatabaseKind } from "../../support/databases.js";
import { pollUntil } from "../../support/poll.js";

const WAIT = 60_000;

/**
 * The bot's PostgreSQL server goes away for a while (its connections ended, new ones refused)
 * while a partner writes and a report is under way: nothing is lost or doubled, the bot keeps
 * running, the log says why it waits, and once the server is back every message is answered
 * exactly once and the report goes on where it was.
 */
describe("faults: the PostgreSQL server goes away for a while", function () {
  this.timeout(300_000);
  let world: DsxWorld | undefined;

  before(function () {
    // The SQLite pass has no database server to lose (storage.test.ts has its faults).
    if (worldDatabaseKind() !== "postgres") this.skip();
  });

  afterEach(async () => {
    if (world) await cutOffPostgres(world.databaseLocation, false);
    await world?.stop();
    world = undefined;
  });

  it("keeps the messages that came meanwhile and answers each once when the server is back", async () => {
    const w = await DsxWorld.create(["ops: { metrics: { host: 127.0.0.1, port: 0 } }"]);
    world = w;
    const bot = await w.startBot();
    const listening = await bot.waitForLine(/"msg":"health and metrics endpoint listening"/);
    const ops = `http://127.0.0.1:${String((JSON.parse(listening) as { port: number }).port)}`;
    const maria = await w.person("maria");
    const room = await w.directMessage(maria);
    const isBotNotice = (e: MatrixEvent) =>
      e.getSender() === w.botUserId && e.getContent()["msgtype"] === "m.notice";
    const prompt = (name: string) => (_b: string, e: MatrixEvent) =>
      isBotNotice(e) && e.getContent()["org.dsx.prompt"] === name;
    const prompted = (name: string) =>
      w.botMessages(maria, room).filter((e) => e.getContent()["org.dsx.prompt"] === name);
    await maria.sendText(room, "report incident");
    await maria.waitForMessage(room, prompt("type"), WAIT);

    // Two answers of the report while the server is away: the type, then the description.
    await cutOffPostgres(w.databaseLocation, true);
    await maria.sendText(room, "1");
    await maria.sendText(room, "Someone is sending our staff fake login pages");
    await pollUntil(
      "the log to say the database is unreachable",
      () => Promise.resolve(/"reason":"database-unreachable"/.test(w.logs)),
      WAIT,
    );
    // The periodic look at undecryptable events (every second here) meets the outage too; it
    // used to end the bot with an unhandled rejection.
    await pollUntil(
      "the undecryptable events' retry to meet the outage",
      () => Promise.resolve(w.logs.includes("cannot look at undecryptable events now")),
      WAIT,
    );
    expect(prompted("description")).to.deep.equal([]);
    expect(w.bot?.child.exitCode, "the bot kept running").to.equal(null);
    // Its health endpoints say what is wrong: not ready for want of the database; /metrics
    // leaves out the counts kept there and still gives the rest.
    const readyz = await fetch(`${ops}/readyz`);
    expect(readyz.status).to.equal(503);
    expect(((await readyz.json()) as { checks: Record<string, boolean> }).checks).to.include({
      database: false,
    });
    const metrics = await fetch(`${ops}/metrics`);
    expect(metrics.status).to.equal(200);
    const text = await metrics.text();
    expect(text)
      .to.contain("dsx_ready 0\n")
      .and.to.match(/^dsx_events_handled_total \d+$/m);
    expect(text).to.not.contain("dsx_open_cases");

    await cutOffPostgres(w.databaseLocation, false);
    await maria.waitForMessage(room, prompt("measures"), WAIT);
    await maria.sendText(room, "none");
    await maria.waitForMessage(room, prompt("files"), WAIT);
    expect(prompted("description")).to.have.length(1);
    expect(prompted("measures")).to.have.length(1);
    expect(w.logs).to.contain("the database took the event after waiting");
    expect(w.logs).to.not.contain("handling an event failed");
    expect(w.bot?.child.exitCode).to.equal(null);
  });
});
