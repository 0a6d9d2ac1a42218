import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiveDirectory } from "../../../src/config/live-directory.js";
import { loadConfigFile } from "../../../src/config/load.js";
import { exampleEnv } from "../../support/example-env.js";
import { repositoryRoot } from "../../support/paths.js";

describe("config/live-directory", () => {
  let folder: string;
  let file: string;
  const env = exampleEnv();

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "dsx-live-"));
    file = join(folder, "bot.yaml");
    await writeFile(file, await readFile(join(repositoryRoot, "bot.example.yaml"), "utf8"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function live(): Promise<LiveDirectory> {
    const result = await loadConfigFile(file, env);
    if (!result.ok) throw new Error("example refused");
    return new LiveDirectory(file, result.config, env);
  }

  it("swaps in a new directory when the file is valid", async () => {
    const directory = await live();
    const seen: string[] = [];
    directory.onChange((d) => seen.push(d.organisations.map((o) => o.id).join(",")));
    const text = await readFile(file, "utf8");
    await writeFile(
      file,
      text.replace(
        'members: ["@maria:example.org"]',
        'members: ["@maria:example.org", "@new:example.org"]',
      ),
    );
    const outcome = await directory.reload();
    expect(outcome).to.deep.equal({ ok: true, restartNeededFor: [] });
    expect(directory.directory.organisationOf("@new:example.org")?.id).to.equal(
      "rights-collective",
    );
    expect(seen).to.deep.equal(["dsx,rights-collective,securelab"]);
  });

  it("keeps the old directory when the file has become invalid", async () => {
    const directory = await live();
    const before = directory.directory;
    await writeFile(file, (await readFile(file, "utf8")).replace("role: provider", "role: vendor"));
    const outcome = await directory.reload();
    expect(outcome.ok).to.equal(false);
    expect(outcome.ok ? [] : outcome.problems.map((p) => p.path.join("."))).to.deep.equal([
      "organisations.2.role",
    ]);
    expect(directory.directory).to.equal(before);
  });

  it("says which changed keys only take effect on restart", async () => {
    const directory = await live();
    await writeFile(file, (await readFile(file, "utf8")).replace("level: info", "level: debug"));
    const outcome = await directory.reload();
    expect(outcome).to.deep.equal({ ok: true, restartNeededFor: ["logging"] });
  });
});
