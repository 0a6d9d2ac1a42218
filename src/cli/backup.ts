import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { openDatabaseOrExplain } from "./database-error.js";
import { Backups } from "../backup/backups.js";
import { copyStoppedStore, StoreBusyError } from "../backup/offline-store.js";

export const backupCommand: CliCommand = {
  name: "backup",
  summary: "write an encrypted backup into the state directory's backups/ (the bot stopped)",
  options: configOption,
  async run({ values }, io) {
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const { config } = loaded;
    const database = await openDatabaseOrExplain(config, io);
    if ("exit" in database) return database.exit;
    const backups = new Backups({
      dataSource: database.dataSource,
      dataKey: config.dataKey,
      stateDir: config.bot.stateDir,
      copyStore: () => copyStoppedStore(config.bot.stateDir),
      every: () => config.policy.backups.every.ms,
      keep: () => config.policy.backups.keep.ms,
    });
    try {
      io.out(`backup written: ${await backups.create()}`);
      return ExitCode.ok;
    } catch (error) {
      if (error instanceof StoreBusyError) {
        io.err(
          `cannot back up while the bot runs: it makes a backup itself every ` +
            `${config.policy.backups.every.iso} (policy.backups.every) into ` +
            `${backups.folder}; stop it to make one now`,
        );
        return ExitCode.botRunning;
      }
      if ((error as NodeJS.ErrnoException).code === "SQLITE_CANTOPEN") {
        io.err(`no E2EE store in ${config.bot.stateDir}: has the bot ever run there?`);
        return ExitCode.failure;
      }
      throw error;
    } finally {
      await database.dataSource.destroy();
    }
  },
};
