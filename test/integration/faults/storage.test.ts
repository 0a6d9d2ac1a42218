import { expect } from "chai";
import { Sqlite as Database } from "../../../src/store/sqlite.js";
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { MatrixEvent } from "matrix-js-sdk";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { worldDatabaseKind } from "../../support/databases.js";

const WAIT = 60_000;

/**
 * The bot's database cannot take writes for a while (another connection holds its write lock; the
 * disk of the state directory is full) while a message arrives: the event stays unhandled, the
 * log says why, and once the database takes writes again the message is answered exactly once.
 */
describe("faults: the database cannot take writes for a while", function () {
  this.timeout(300_000);
  let world: DsxWorld;
  let mounted = false;

  before(function () {
    // These faults are the embedded SQLite file's (its write lock, its disk). On the PostgreSQL
    // pass the bot's database is a server's: a lock there waits rather than fails, and the
    // state directory's disk holds no database.
    if (worldDatabaseKind() === "postgres") this.skip();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && process.env.DSX_SHOW_BOT_LOG)
      console.log(world.logs.split("\n").slice(-80).join("\n"));
    await world.stopBot();
    if (mounted) execFileSync("umount", [world.stateDir]);
    mounted = false;
    await world.stop();
  });

  const isBotNotice = (e: MatrixEvent) =>
    e.getSender() === world.botUserId && e.getContent()["msgtype"] === "m.notice";
  const answersTo = (person: E2eeTestClient, room: string, word: string) =>
    world.botMessages(person, room).filter((e) => String(e.getContent()["body"]).includes(word));

  /** Waits for a line of the bot's log matching, within the deadline. */
  async function logSays(pattern: RegExp, times = 1): Promise<void> {
    const deadline = Date.now() + WAIT;
    while ([...world.logs.matchAll(new RegExp(pattern, "g"))].length < times) {
      if (Date.now() > deadline) throw new Error(`the log never said ${String(pattern)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** maria's direct room with the bot, with one message answered (everything warmed up). */
  async function talking(): Promise<{ maria: E2eeTestClient; room: string }> {
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "language warmup");
    await maria.waitForMessage(room, (body, e) => isBotNotice(e) && body.includes("warmup"), WAIT);
    return { maria, room };
  }

  it("another connection holds the write lock (BEGIN IMMEDIATE) past the busy timeout: handled once after", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const { maria, room } = await talking();
    const other = new Database(join(world.stateDir, "dsx.sqlite"), { timeout: 10_000 });
    try {
      other.exec("BEGIN IMMEDIATE");
      for (const n of [1, 2]) await maria.sendText(room, `language locked${String(n)}`);
      // Time is the condition: the lock is held for 12 s, more than twice SQLite's busy timeout
      // (5 s) that each write of the bot waits out.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      expect(answersTo(maria, room, "locked")).to.deep.equal([]);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    await maria.waitForMessage(room, (body, e) => isBotNotice(e) && body.includes("locked2"), WAIT);
    await maria.sendText(room, "language marker");
    await maria.waitForMessage(room, (body, e) => isBotNotice(e) && body.includes("marker"), WAIT);
    expect(
      answersTo(maria, room, "locked").map(
        (e) => /locked\d/.exec(String(e.getContent()["body"]))?.[0],
      ),
    ).to.deep.equal(["locked1", "locked2"]);
    await logSays(/"reason":"database-locked".*"msg":"the database cannot record the event/, 2);
    await logSays(/"msg":"the database took the event after waiting"/);
    expect(world.logs).to.not.contain("handling an event failed");
    expect(world.bot?.child.exitCode).to.equal(null);
  });

  it("the disk of the state directory is full: the event waits, the log says so, handled once there is room", async function () {
    world = await DsxWorld.create();
    // A small file system of its own for the state directory (mounting needs root).
    mkdirSync(world.stateDir, { recursive: true });
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", world.stateDir], {
        stdio: "ignore",
      });
      mounted = true;
    } catch {
      this.skip();
    }
    await world.startBot();
    const { maria, room } = await talking();
    // The WAL is reused in place once written: empty it, so that the next write needs room.
    const other = new Database(join(world.stateDir, "dsx.sqlite"));
    other.pragma("wal_checkpoint(TRUNCATE)");
    other.close();
    const filler = join(world.stateDir, "filler");
    fillDisk(filler);
    try {
      await maria.sendText(room, "language full1");
      // Time is the condition: the disk stays full for three seconds.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(answersTo(maria, room, "full1")).to.deep.equal([]);
    } finally {
      unlinkSync(filler);
    }
    expect(world.bot?.child.exitCode, "the bot kept running").to.equal(null);
    await maria.waitForMessage(room, (body, e) => isBotNotice(e) && body.includes("full1"), WAIT);
    await maria.sendText(room, "language marker");
    await maria.waitForMessage(room, (body, e) => isBotNotice(e) && body.includes("marker"), WAIT);
    expect(answersTo(maria, room, "full1")).to.have.length(1);
    await logSays(/"reason":"disk-full".*"msg":"the database cannot record the event/);
    await logSays(/"msg":"the database took the event after waiting"/);
    expect(world.logs).to.not.contain("handling an event failed");
  });
});

/** Writes `path` until the file system has no room left. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}
