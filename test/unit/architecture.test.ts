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
});
