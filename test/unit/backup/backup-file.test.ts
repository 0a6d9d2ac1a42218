import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import {
  BackupIntegrityError,
  openBackup,
  sealBackup,
  type BackupContents,
} from "../../../src/backup/backup-file.js";
import { Backups, backupName, backupTime } from "../../../src/backup/backups.js";

const contents: BackupContents = {
  format: 1,
  createdAt: 1_764_600_000_000,
  migrations: ["Initial1763800000000"],
  tables: { incident: [{ caseId: "INC-2026-0001", description: "v1:sealed" }] },
  files: { "session.json": Buffer.from("{}").toString("base64") },
};

describe("backup files", () => {
  it("open with the data key they were sealed with, and show nothing in plain", () => {
    const key = randomBytes(32);
    const sealed = sealBackup(contents, key);
    expect(sealed.includes(Buffer.from("INC-2026-0001"))).to.equal(false);
    expect(openBackup(sealed, key)).to.deep.equal(contents);
  });

  it("refuse any changed byte, a cut, and another key", () => {
    const key = randomBytes(32);
    const sealed = sealBackup(contents, key);
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const changed = Buffer.from(sealed);
          changed[at] = (changed[at] ?? 0) ^ xor;
          expect(() => openBackup(changed, key)).to.throw(BackupIntegrityError);
        },
      ),
    );
    expect(() => openBackup(sealed.subarray(0, sealed.length - 1), key)).to.throw(
      BackupIntegrityError,
    );
    expect(() => openBackup(sealed, randomBytes(32))).to.throw(BackupIntegrityError);
  });

  it("are named by the time they were taken", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (at) => {
        expect(backupTime(backupName(at))).to.equal(at);
      }),
    );
    expect(backupTime("notes.txt")).to.equal(undefined);
  });

  it("are purged once older than the keep period, with what a crash left half-written", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "dsx-backups-"));
    try {
      const backups = new Backups({
        dataSource: undefined as never,
        dataKey: randomBytes(32),
        stateDir,
        copyStore: () => Buffer.alloc(0),
        every: () => 1000,
        keep: () => 7 * 86_400_000,
      });
      const now = Date.parse("2026-12-08T12:00:00Z");
      const names = [
        backupName(now - 8 * 86_400_000),
        backupName(now - 7 * 86_400_000),
        backupName(now - 86_400_000),
      ];
      await mkdir(backups.folder);
      for (const name of [...names, `${backupName(now)}.partial`, "README.txt"])
        await writeFile(join(backups.folder, name), "x");
      expect(await backups.purge(now)).to.deep.equal([names[0]]);
      expect((await readdir(backups.folder)).sort()).to.deep.equal(
        ["README.txt", names[1] ?? "", names[2] ?? ""].sort(),
      );
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
