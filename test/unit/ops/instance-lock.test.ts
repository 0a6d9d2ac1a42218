import { expect } from "chai";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimStateDir, InstanceRunningError, PID_FILE } from "../../../src/ops/instance-lock.js";

describe("ops/instance-lock", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = join(await mkdtemp(join(tmpdir(), "dsx-lock-")), "state");
  });
  afterEach(async () => {
    await rm(join(stateDir, ".."), { recursive: true, force: true });
  });

  it("lets one claim hold the state directory at a time, and names its pid", async () => {
    const first = await claimStateDir(stateDir);
    expect(await readFile(join(stateDir, PID_FILE), "utf8")).to.equal(`${process.pid}\n`);
    let refused: unknown;
    await claimStateDir(stateDir).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(InstanceRunningError);
    expect((refused as Error).message).to.equal(
      `another dsx-bot (pid ${process.pid}) is running on the state directory ${stateDir}: stop it first, or give this bot its own bot.stateDir`,
    );
    await first.release();
    await access(join(stateDir, PID_FILE)).then(
      () => expect.fail("the pid file outlived the claim"),
      () => undefined,
    );
    const second = await claimStateDir(stateDir);
    await second.release();
  });

  it("is not kept from a claim by the pid file of a bot that died", async () => {
    await claimStateDir(stateDir).then((lock) => lock.release());
    await writeFile(join(stateDir, PID_FILE), "999999\n");
    const lock = await claimStateDir(stateDir);
    expect(await readFile(join(stateDir, PID_FILE), "utf8")).to.equal(`${process.pid}\n`);
    await lock.release();
  });
});
