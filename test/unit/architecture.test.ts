import { expect } from "chai";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { repositoryRoot } from "../support/paths.js";

/** The SDK's methods that put something into a room or to a device. */
const SEND_METHODS =
  /\.(sendEvent|sendMessage|sendTextMessage|sendHtmlMessage|sendNotice|sendHtmlNotice|sendEmoteMessage|sendStateEvent|sendToDevice|sendEncryptedToDevice|sendImageMessage|sendStickerMessage)\s*\(/;

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith(".ts") ? [path] : []);
    }),
  );
  return files.flat();
}

/** The outbox's own modules: the one place that sends (its send under a transaction ID). */
const OUTBOX_SENDS = join("src", "matrix", "event-sending.ts");

/**
 * The folders of `src/`, lowest first: a module imports only from its own folder and those
 * before it (bot → cases → matrix → chat → schedule/store → config/policy → failures/log), so
 * that every arrow of the picture points one way. `src/cli.ts` is the entry, above them all.
 */
const LAYERS = [
  "log",
  "failures",
  "policy",
  "config",
  "store",
  "schedule",
  "chat",
  "matrix",
  "guard",
  "cases",
  "ops",
  "backup",
  "bot",
  "cli",
  "demo",
];

/** The folder of `src/` a file is in ("" for the entry, `src/cli.ts`). */
function folderOf(file: string): string | undefined {
  const inSrc = relative(join(repositoryRoot, "src"), file);
  if (inSrc.startsWith("..")) return undefined;
  return inSrc.includes(sep) ? (inSrc.split(sep)[0] ?? "") : "";
}

describe("architecture", () => {
  it("imports run down the layers only", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(repositoryRoot, "src"))) {
      const from = folderOf(file) ?? "";
      const text = await readFile(file, "utf8");
      for (const [, specifier = ""] of text.matchAll(/^(?:import|export)[^"]*from "(\.[^"]+)"/gm)) {
        const to = folderOf(resolve(dirname(file), specifier));
        if (to === undefined || to === from || from === "") continue;
        const below = LAYERS.indexOf(to) !== -1 && LAYERS.indexOf(to) < LAYERS.indexOf(from);
        if (!below) offenders.push(`${relative(repositoryRoot, file)} → ${specifier}`);
      }
    }
    const unknown = (await readdir(join(repositoryRoot, "src"), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !LAYERS.includes(entry.name))
      .map((entry) => entry.name);
    expect(unknown, "folders with no layer").to.deep.equal([]);
    expect(offenders, "imports that run up a layer").to.deep.equal([]);
  });

  it("only the outbox calls the SDK's send methods (invariant 1)", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(repositoryRoot, "src"))) {
      const name = relative(repositoryRoot, file);
      if (name === OUTBOX_SENDS) continue;
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (SEND_METHODS.test(line)) offenders.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).to.deep.equal([]);
    const sends = await readFile(join(repositoryRoot, OUTBOX_SENDS), "utf8");
    expect(sends, "the outbox itself sends").to.match(SEND_METHODS);
    const users = await Promise.all(
      (await sourceFiles(join(repositoryRoot, "src"))).map(async (file) =>
        /from "\.\/event-sending\.js"/.test(await readFile(file, "utf8"))
          ? relative(repositoryRoot, file)
          : [],
      ),
    );
    expect(users.flat(), "only the outbox uses its sending").to.deep.equal([
      join("src", "matrix", "outbox.ts"),
    ]);
  });

  it("only the demo runs test support, from its one entry, which the CLI loads lazily", async () => {
    const offenders: string[] = [];
    const demoEntry = join("src", "demo", "demo.ts");
    for (const file of await sourceFiles(join(repositoryRoot, "src"))) {
      const name = relative(repositoryRoot, file);
      const inDemo = name.startsWith(join("src", "demo") + "/");
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        const where = `${name}:${i + 1}: ${line.trim()}`;
        const loadsTest = /^import (?!type ).*from "(?:\.\.\/)+test\//.test(line);
        const typesOfTest = /^import type .*from "(?:\.\.\/)+test\//.test(line);
        if (loadsTest && name !== demoEntry) offenders.push(where);
        if (typesOfTest && !inDemo) offenders.push(where);
        // Outside the demo, the demo is only ever imported dynamically (`await import(...)`).
        if (!inDemo && /^import .*from "\.\.\/demo\//.test(line)) offenders.push(where);
      });
    }
    expect(offenders).to.deep.equal([]);
    const entry = await readFile(join(repositoryRoot, demoEntry), "utf8");
    expect(entry, "the demo entry loads the test world").to.match(/^import \{ DsxWorld \}/m);
  });
});
