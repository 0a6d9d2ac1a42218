import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { copyFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { compiledCli } from "../../support/paths.js";
import { RunningProcess } from "../../support/processes.js";

/** Every file and folder under a folder (itself included), recursively. */
async function pathsUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? pathsUnder(path) : Promise.resolve([path]);
    }),
  );
  return [folder, ...nested.flat()];
}

/** The paths that the group or others may read, write or enter, with their modes. */
async function openToOthers(folder: string): Promise<string[]> {
  const open: string[] = [];
  for (const path of await pathsUnder(folder)) {
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) open.push(`${path.slice(folder.length)} ${mode.toString(8)}`);
  }
  return open;
}

/** Issue 19, "An operator's first day": the operator's mistakes and habits the bot must survive. */
describe("an operator's first day", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  afterEach(async () => {
    await world.stop();
  });

  it("every file the bot and its commands write is private to its user", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    await maria.sendText(mariaDm, "status");
    await world.next(maria, mariaDm, () => true);
    // While it runs: the database and its WAL, the E2EE store, the session, the first backup.
    const running = await openToOthers(world.stateDir);
    expect(running, "while the bot runs").to.deep.equal([]);
    await world.stopBot();
    const made = await world.cli("backup");
    expect(made.code, made.stderr).to.equal(0);
    expect(await openToOthers(world.stateDir), "after dsx-bot backup").to.deep.equal([]);
  });

  it("backup and rotate-key while the bot runs refuse with a sentence and exit 7, and change nothing", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    await world.bot?.waitForLine(/"msg":"backup made"/, 60_000);
    const backups = join(world.stateDir, "backups");
    const before = await readdir(backups);
    // What a cron job does at night.
    const backup = await world.cli("backup");
    expect(backup.stderr).to.contain("cannot back up while the bot runs");
    expect(backup.stderr).to.not.match(/Error|\n\s+at /);
    expect(backup.code).to.equal(7);
    expect(await readdir(backups)).to.deep.equal(before);
    const rotated = await world.cli("rotate-key", ["--new-key-env", "NEW_KEY"], {
      NEW_KEY: randomBytes(32).toString("base64"),
    });
    expect(rotated.stderr).to.contain("stop the bot first");
    expect(rotated.code).to.equal(7);
    // Still the same key: the bot answers, and a backup made once it is stopped works.
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    await maria.sendText(mariaDm, "status");
    await world.next(maria, mariaDm, () => true);
    await world.stopBot();
    const stopped = await world.cli("backup");
    expect(stopped.code, stopped.stderr).to.equal(0);
  });

  it("a data key that does not open the database is refused at start and by every command that opens it (exit 6); a rotated key is taken", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const ana = await world.dsxTeamMember();
    await ana.sendText(world.rooms.triage, "!dsx tickets");
    await world.next(ana, world.rooms.triage, () => true);
    await world.stopBot();
    const wrong = { DSX_DATA_KEY: randomBytes(32).toString("base64") };
    const refusal = "dataKey does not open this database";

    // Started with a fresh key on the existing state directory: it must not say it is ready.
    const bot = RunningProcess.start(compiledCli, ["start", "--config", world.configFile], {
      ...world.env,
      ...wrong,
    });
    const ended = await Promise.race([
      bot.exited,
      bot.waitForLine(/"msg":"dsx-bot ready"/, 60_000).then(() => "ready"),
    ]);
    await bot.stop();
    expect(ended, "the bot with the wrong key").to.not.equal("ready");
    expect(bot.stderr).to.contain(refusal);
    expect(bot.child.exitCode).to.equal(6);

    for (const [command, args, env] of [
      ["backup", [], wrong],
      ["migrate", [], wrong],
      [
        "rotate-key",
        ["--new-key-env", "NEW_KEY"],
        { ...wrong, NEW_KEY: randomBytes(32).toString("base64") },
      ],
    ] as const) {
      const result = await world.cli(command, args, env);
      expect(result.stderr, command).to.contain(refusal);
      expect(result.stderr, command).to.not.match(/\n\s+at /);
      expect(result.code, command).to.equal(6);
    }
    const backups = join(world.stateDir, "backups");
    const [firstBackup] = await readdir(backups);
    expect(await readdir(backups)).to.have.length(1);
    const oldBackup = join(world.folder, "before-rotation.dsxb");
    await copyFile(join(backups, firstBackup ?? ""), oldBackup);
    const oldKey = world.env.DSX_DATA_KEY ?? "";

    // A rotation moves the check with the data: the new key opens it, the old one no longer.
    const newKey = randomBytes(32).toString("base64");
    const rotated = await world.cli("rotate-key", ["--new-key-env", "NEW_KEY"], {
      NEW_KEY: newKey,
    });
    expect(rotated.code, rotated.stderr).to.equal(0);
    // Run again before dataKey is changed (as after an interruption): all under the new key.
    const again = await world.cli("rotate-key", ["--new-key-env", "NEW_KEY"], {
      NEW_KEY: newKey,
    });
    expect(again.code, again.stderr).to.equal(0);
    const old = await world.cli("migrate");
    expect(old.stderr).to.contain(refusal);
    world.env.DSX_DATA_KEY = newKey;
    await world.startBot();
    await ana.sendText(world.rooms.triage, "!dsx tickets");
    await world.next(ana, world.rooms.triage, () => true);

    // A backup from before the rotation opens with the old key, and its data needs that key.
    await world.stopBot();
    await world.loseDisk();
    const restored = await world.cli("restore", [oldBackup, "--data-key-env", "OLD_KEY"], {
      OLD_KEY: oldKey,
    });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.contain("set dataKey to the key in OLD_KEY");
    const started = await world.cli("migrate");
    expect(started.stderr).to.contain(refusal);
    expect(started.code).to.equal(6);
    const withOldKey = await world.cli("migrate", [], { DSX_DATA_KEY: oldKey });
    expect(withOldKey.code, withOldKey.stderr).to.equal(0);
  });
});
