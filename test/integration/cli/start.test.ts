import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { DsxWorld } from "../../support/bot/dsx-world.js";

/** `dsx-bot start` refusing to run, with the sentence and exit code README gives. */
describe("dsx-bot start, refused", function () {
  this.timeout(120_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create(["ops: { metrics: { port: 0 } }"]);
  });
  afterEach(async () => {
    await world.stop();
  });

  const editConfig = async (edit: (text: string) => string): Promise<void> => {
    const text = await readFile(world.configFile, "utf8");
    const edited = edit(text);
    expect(edited).to.not.equal(text);
    await writeFile(world.configFile, edited);
  };

  it("exits 5 when the homeserver does not know bot.accessToken", async () => {
    await editConfig((text) =>
      text.replace('password: "${DSX_BOT_PASSWORD}"', 'accessToken: "syt_mistyped_token"'),
    );
    const result = await world.cli("start");
    expect(result.code, result.stderr).to.equal(5);
    expect(result.stderr).to.contain(
      "cannot start: the homeserver does not know bot.accessToken (M_UNKNOWN_TOKEN)",
    );
    expect(result.stdout + result.stderr).to.not.contain("Unable to refresh token");
    expect(result.stdout + result.stderr).to.not.contain("syt_mistyped_token");
  });

  it("exits 5 when the homeserver refuses bot.password", async () => {
    const result = await world.cli("start", [], { DSX_BOT_PASSWORD: "not the password" });
    expect(result.code, result.stderr).to.equal(5);
    expect(result.stderr).to.contain(
      `cannot start: the homeserver refused bot.password for ${world.botUserId} (M_FORBIDDEN)`,
    );
    expect(result.stdout + result.stderr).to.not.contain("not the password");
  });

  it("says a bot.userId that is not the session's is the thing to check", async () => {
    await world.startBot();
    await world.stopBot();
    const other = world.user("dsx-bot");
    await editConfig((text) => text.replace(`userId: "${world.botUserId}"`, `userId: "${other}"`));
    const result = await world.cli("start");
    expect(result.code, result.stderr).to.equal(5);
    expect(result.stderr).to.contain(
      `cannot start: bot.userId ${other} does not match the session in ${world.stateDir}, which is ${world.botUserId}'s`,
    );
    expect(result.stderr).to.not.contain("use another stateDir");
  });

  it("refuses a second bot on the same state directory before it logs in, naming the first", async () => {
    const first = await world.startBot();
    const pid = String(first.child.pid);
    const second = await world.cli("start");
    expect(second.code, second.stderr).to.equal(5);
    expect(second.stderr).to.contain(
      `cannot start: another dsx-bot (pid ${pid}) is running on the state directory ${world.stateDir}`,
    );
    expect(second.stdout).to.not.contain('"msg":"dsx-bot started"');
    expect(second.stdout).to.not.contain('"msg":"session established"');
    // The first bot goes on and stops cleanly.
    const result = await first.stop("SIGTERM");
    expect(result.code, result.stderr).to.equal(0);
    world.bot = undefined;
  });
});
