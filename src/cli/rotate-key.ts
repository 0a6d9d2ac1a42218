import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { openDatabaseOrExplain } from "./database-error.js";
import { copyStoppedStore, StoreBusyError } from "../backup/offline-store.js";
import { resealSession } from "../matrix/session.js";
import { FieldCipher } from "../store/field-cipher.js";
import { rotateDataKey } from "../store/key-rotation.js";
import { keyFromEnv } from "./key-from-env.js";

export const rotateKeyCommand: CliCommand = {
  name: "rotate-key",
  summary: "re-encrypt every sealed value under a new data key (bot stopped)",
  options: {
    ...configOption,
    "new-key-env": {
      type: "string",
      description: "environment variable with the new data key (32 bytes, base64)",
    },
  },
  async run({ values }, io) {
    if (typeof values["new-key-env"] !== "string") {
      io.err("dsx-bot rotate-key: --new-key-env NAME is required");
      return ExitCode.usage;
    }
    const newKey = keyFromEnv(values["new-key-env"], io);
    if (newKey === undefined || newKey === "invalid") return ExitCode.usage;
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const { config } = loaded;
    try {
      copyStoppedStore(config.bot.stateDir);
    } catch (error) {
      if (error instanceof StoreBusyError) {
        io.err("stop the bot first: it holds the data key while it runs");
        return ExitCode.botRunning;
      }
      // No E2EE store yet: nothing of the bot's to hold it.
      if ((error as NodeJS.ErrnoException).code !== "SQLITE_CANTOPEN") throw error;
    }
    // The new key opens it too: a rotation run again after its commit (it finds all moved).
    const database = await openDatabaseOrExplain(config, io, [config.dataKey, newKey]);
    if ("exit" in database) return database.exit;
    try {
      const from = new FieldCipher(config.dataKey);
      const to = new FieldCipher(newKey);
      const count = await rotateDataKey(database.dataSource, from, to);
      await resealSession(config.bot.stateDir, from, to);
      io.out(
        `re-sealed ${count.resealed} value(s) (${count.alreadyNew} already under the new key), ` +
          `redid ${count.rehashed} keyed hash(es). Now set dataKey to the new key. Backups made ` +
          "before open only with the old one (restore --data-key-env).",
      );
      return ExitCode.ok;
    } finally {
      await database.dataSource.destroy();
    }
  },
};
