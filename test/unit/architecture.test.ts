import { expect } from "chai";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
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

describe("architecture", () => {
  it("only the outbox calls the SDK's send methods (invariant 1)", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(repositoryRoot, "src"))) {
      const name = relative(repositoryRoot, file);
      if (name === join("src", "matrix", "outbox.ts")) continue;
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, i) => {
        if (SEND_METHODS.test(line)) offenders.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).to.deep.equal([]);
    const outbox = await readFile(join(repositoryRoot, "src", "matrix", "outbox.ts"), "utf8");
    expect(outbox, "the outbox itself sends").to.match(SEND_METHODS);
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
