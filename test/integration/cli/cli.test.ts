import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../../../migrations/index.js";
import { exampleEnv } from "../../support/example-env.js";
import { compiledCli, repositoryRoot } from "../../support/paths.js";
import { runNode } from "../../support/processes.js";

describe("dsx-bot command line", function () {
  this.timeout(60_000);
  let folder: string;
  let config: string;
  const env = exampleEnv();

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "dsx-cli-"));
    config = join(folder, "bot.yaml");
    await writeFile(config, await readFile(join(repositoryRoot, "bot.example.yaml"), "utf8"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("lists its commands with --help, and refuses an unknown one", async () => {
    const help = await runNode(compiledCli, ["--help"]);
    expect(help.code).to.equal(0);
    for (const name of ["start", "migrate", "check-config", "demo"])
      expect(help.stdout).to.contain(name);
    const unknown = await runNode(compiledCli, ["frobnicate"]);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('unknown command "frobnicate"');
    const badOption = await runNode(compiledCli, ["migrate", "--colour"]);
    expect(badOption.code).to.equal(2);
    const commandHelp = await runNode(compiledCli, ["check-config", "--help"]);
    expect(commandHelp.code).to.equal(0);
    expect(commandHelp.stdout).to.contain("--require-env");
  });

  it("check-config accepts bot.example.yaml", async () => {
    const result = await runNode(
      compiledCli,
      ["check-config", join(repositoryRoot, "bot.example.yaml")],
      {
        env: { DSX_ACCESS_TOKEN: "", DSX_STORE_PASSPHRASE: "", DSX_DATA_KEY: "" },
      },
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("valid (3 organisations)");
    expect(result.stderr).to.contain("DSX_DATA_KEY is not set (needed at start)");
    const strict = await runNode(
      compiledCli,
      ["check-config", "--require-env", join(repositoryRoot, "bot.example.yaml")],
      { env },
    );
    expect(strict.code, strict.stderr).to.equal(0);
  });

  it("check-config lists three mistakes by key path and exits 3", async () => {
    const text = (await readFile(config, "utf8"))
      .replace('userId: "@dsx:example.org"', 'userId: "dsx"')
      .replace("respondWithin: P7D", "respondWithin: a week")
      .replace("capacity: 3", "capacity: 3\n    colour: blue");
    await writeFile(config, text);
    const result = await runNode(compiledCli, ["check-config", config], { env });
    expect(result.code).to.equal(3);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith(" ".repeat(2)));
    expect(lines).to.have.members([
      "  bot.userId: expected a Matrix user ID such as @ana:example.org",
      "  policy.disclosure.respondWithin: expected an ISO-8601 duration such as P7D, PT12H or PT5S",
      "  organisations[2].colour: unknown key",
    ]);
  });

  it("check-config lists every problem at once, and the key an unknown one may mean", async () => {
    const text = (await readFile(config, "utf8"))
      .replace("url: https://matrix.example.org", "url: matrix.example.org")
      .replace('members: ["@maria:example.org"]', 'members: ["@ana:example.org"]')
      .replace("stateDir: ./state", "statedir: ./state")
      .replace('userId: "@dsx:example.org"', 'userId: "@dsx:example.net"');
    await writeFile(config, text);
    const result = await runNode(compiledCli, ["check-config", config], { env });
    expect(result.code).to.equal(3);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith(" ".repeat(2)));
    expect(lines).to.have.members([
      "  homeserver.url: expected an http or https URL",
      "  bot.statedir: unknown key (did you mean stateDir?)",
      "  bot.userId: @dsx:example.net is not on homeserver.serverName example.org: the bot's account must be on the homeserver it logs in to",
      '  organisations[1].members[0]: @ana:example.org is already a member of "dsx": a person belongs to one organisation',
    ]);
  });

  it("migrate creates the SQLite database, then finds it up to date", async () => {
    const first = await runNode(compiledCli, ["migrate", "--config", config], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain(
      `applied ${migrations.length} migration(s): ${migrations.map((m) => m.name).join(", ")}`,
    );
    const second = await runNode(compiledCli, ["migrate", "-c", config], { env });
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain("database is up to date");
  });

  it("migrate exits 4 when the database cannot be reached, without printing the password", async () => {
    const text = (await readFile(config, "utf8")).replace(
      /database:\n {2}type: sqlite\n.*\n {2}path: .*\n/,
      'database: { type: postgres, url: "postgres://dsx:hunter2hunter2@127.0.0.1:1/dsx" }\n',
    );
    expect(text).to.contain("127.0.0.1:1");
    await writeFile(config, text);
    const result = await runNode(compiledCli, ["migrate", "--config", config], { env });
    expect(result.code).to.equal(4);
    expect(result.stderr).to.contain(
      "cannot open the PostgreSQL database at postgres://dsx:***@127.0.0.1:1/dsx",
    );
    expect(result.stderr + result.stdout).to.not.contain("hunter2");
  });

  it("start explains a missing configuration file and exits 3", async () => {
    const result = await runNode(compiledCli, ["start"], { env, cwd: folder + "/.." });
    expect(result.code).to.equal(3);
    expect(result.stderr).to.contain("Copy bot.example.yaml to bot.yaml");
  });
});
