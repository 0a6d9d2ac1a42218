import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { openDatabaseOrExplain } from "./database-error.js";
import { BackupIntegrityError } from "../backup/backup-file.js";
import { restoreBackup, RestoreRefused } from "../backup/restore.js";
import { keyFromEnv } from "./key-from-env.js";

export const restoreCommand: CliCommand = {
  name: "restore",
  summary: "restore a backup into an empty state directory and database, after checking it",
  operands: "FILE",
  options: {
    ...configOption,
    "data-key-env": {
      type: "string",
      description:
        "environment variable with the data key the backup was made with (default: dataKey)",
    },
  },
  async run({ values, positionals }, io) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) {
      io.err("dsx-bot restore: name one backup file");
      return ExitCode.usage;
    }
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const { config } = loaded;
    const dataKey = keyFromEnv(values["data-key-env"], io) ?? config.dataKey;
    if (dataKey === "invalid") return ExitCode.usage;
    // The database must be empty; the backup, opened with this key, brings its own check.
    const database = await openDatabaseOrExplain(config, io, "unchecked");
    if ("exit" in database) return database.exit;
    try {
      const contents = await restoreBackup({
        file,
        dataKey,
        stateDir: config.bot.stateDir,
        dataSource: database.dataSource,
      });
      const rows = Object.values(contents.tables).reduce((n, t) => n + t.length, 0);
      io.out(
        `restored the backup of ${new Date(contents.createdAt).toISOString()}: ${rows} rows, ` +
          `${Object.keys(contents.files).length} state files; start the bot to resume`,
      );
      io.out(
        config.bot.accessToken === undefined
          ? "its next start makes the bot a new device and deletes the restored one (its keys are out of step)"
          : "bot.accessToken binds the bot to the restored device: messages whose keys came after the backup stay unreadable (without it, a new device is made)",
      );
      if (!dataKey.equals(config.dataKey))
        io.out(
          `its data is sealed under the old key: set dataKey to the key in ` +
            `${String(values["data-key-env"])} before starting (then dsx-bot rotate-key ` +
            "moves it to the new one)",
        );
      return ExitCode.ok;
    } catch (error) {
      if (error instanceof BackupIntegrityError || error instanceof RestoreRefused) {
        io.err(`not restored: ${error.message}`);
        return ExitCode.failure;
      }
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        io.err(`not restored: no file ${file}`);
        return ExitCode.failure;
      }
      throw error;
    } finally {
      await database.dataSource.destroy();
    }
  },
};
