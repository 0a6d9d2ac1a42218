import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { DsxWorld } from "../../support/bot/dsx-world.js";

describe("running the bot", function () {
  this.timeout(120_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create();
  });
  afterEach(async () => {
    await world.stop();
  });

  it("reloads the directory on SIGHUP, refuses a broken file, and stops cleanly on SIGTERM", async () => {
    const bot = await world.startBot();
    const stranger = await world.person("newcomer");
    const refused = await stranger.createEncryptedRoom({
      invite: [world.botUserId],
      isDirect: true,
    });
    await stranger.waitForMemberState(refused, world.botUserId, "leave", 30_000);

    const text = await readFile(world.configFile, "utf8");
    await writeFile(world.configFile, text.replace("role: provider", "role: vendor"));
    bot.child.kill("SIGHUP");
    await bot.waitForLine(/^ {2}organisations\[2\]\.role: /);
    await bot.waitForLine(/configuration reload refused/);

    const withNewcomer = text.replace(
      `members: ["${world.user("maria")}"`,
      `members: ["${world.user("maria")}", "${world.user("newcomer")}"`,
    );
    expect(withNewcomer).to.not.equal(text);
    await writeFile(world.configFile, withNewcomer.replace("level: debug", "level: info"));
    bot.child.kill("SIGHUP");
    await bot.waitForLine(/"msg":"directory reloaded"/);
    const restart = await bot.waitForLine(/"msg":"changed key takes effect on restart"/);
    expect(restart).to.contain('"key":"logging"');

    // The directory now knows the newcomer: the bot accepts their direct message.
    const accepted = await stranger.createEncryptedRoom({
      invite: [world.botUserId],
      isDirect: true,
    });
    await stranger.waitForMemberState(accepted, world.botUserId, "join", 30_000);

    const result = await bot.stop("SIGTERM");
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('"msg":"stopped"');
  });

  it("writes only JSON log lines, and never what people write", async () => {
    const bot = await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    const canary = "CANARY-4d1f9e-confidential";
    await maria.sendText(room, `frobnicate ${canary}`);
    await maria.sendText(room, `language ${canary}`);
    await maria.waitForMessage(
      room,
      (body, e) => e.getSender() === world.botUserId && body.includes("I don't speak"),
      30_000,
    );
    const result = await world.stopBot("SIGTERM").then(() => bot.exited);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).to.not.contain(canary);
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      expect(() => JSON.parse(line) as unknown, line).to.not.throw();
    }
  });
});
