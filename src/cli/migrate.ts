import type { CliCommand } from "./command.js";
import { databaseLocation, openDatabase } from "../store/data-source.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { describeDatabaseError } from "./database-error.js";

export const migrateCommand: CliCommand = {
  name: "migrate",
  summary: "apply pending database migrations and exit",
  options: configOption,
  async run({ values }, io) {
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    try {
      const { dataSource, applied } = await openDatabase(databaseLocation(loaded.config));
      await dataSource.destroy();
      io.out(
        applied.length === 0
          ? "database is up to date"
          : `applied ${applied.length} migration(s): ${applied.join(", ")}`,
      );
      return ExitCode.ok;
    } catch (error) {
      io.err(describeDatabaseError(loaded.config, error));
      return ExitCode.database;
    }
  },
};
