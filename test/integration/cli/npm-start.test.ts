import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PID_FILE } from "../../../src/ops/instance-lock.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { repositoryRoot, startNodeFlags } from "../../support/paths.js";
import { RunningProcess } from "../../support/processes.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The bot under `npm start`, and the signals an operator sends it (README, "Running it"). */
describe("npm start", function () {
  this.timeout(120_000);
  let world: DsxWorld;
  let botPid: number | undefined;

  beforeEach(async () => {
    world = await DsxWorld.create();
    botPid = undefined;
  });
  afterEach(async () => {
    // A bot that npm left behind would hold the state directory after the test.
    if (botPid !== undefined && alive(botPid)) process.kill(botPid, "SIGKILL");
    await world.stop();
  });

  it("passes SIGTERM to the bot, which stops cleanly, and the pid file names the bot for SIGHUP", async () => {
    const npm = RunningProcess.npmStart(["--config", world.configFile], world.env);
    world.bot = npm;
    const started = await npm.waitForLine(/"msg":"dsx-bot started"/, 60_000);
    botPid = (JSON.parse(started) as { pid: number }).pid;
    await npm.waitForLine(/"msg":"dsx-bot ready"/, 60_000);
    const pidFile = join(world.stateDir, PID_FILE);
    expect(await readFile(pidFile, "utf8")).to.equal(`${botPid}\n`);
    expect(botPid).to.not.equal(npm.child.pid);

    // npm does not pass SIGHUP on: README sends it to the bot's pid.
    const text = await readFile(world.configFile, "utf8");
    await writeFile(world.configFile, text.replace("level: debug", "level: info"));
    process.kill(botPid, "SIGHUP");
    await npm.waitForLine(/"msg":"directory reloaded"/);

    npm.child.kill("SIGTERM");
    await npm.waitForLine(/"msg":"shutting down"/);
    const result = await npm.exited;
    world.bot = undefined;
    expect(result.stdout).to.contain('"msg":"stopped"');
    expect(alive(botPid), "the bot outlived npm").to.equal(false);
    expect(result.code, result.stderr).to.equal(0);
  });

  it("README's systemd unit runs node with the start script's flags", async () => {
    const readme = await readFile(join(repositoryRoot, "README.md"), "utf8");
    const execStart = /^ExecStart=(\S+) (.*)$/m.exec(readme);
    expect(execStart, "README has a systemd unit with ExecStart").to.not.equal(null);
    const words = (execStart?.[2] ?? "").split(" ");
    const cli = words.indexOf("dist/src/cli.js");
    expect(execStart?.[1]).to.match(/\/node$/);
    expect(words.slice(0, cli)).to.deep.equal([...startNodeFlags]);
    expect(words.slice(cli, cli + 2)).to.deep.equal(["dist/src/cli.js", "start"]);
    expect(readme).to.match(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  });
});
