import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { openDatabaseOrExplain } from "./database-error.js";

export const migrateCommand: CliCommand = {
  name: "migrate",
  summary: "apply pending database migrations and exit",
  options: configOption,
  async run({ values }, io) {
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const database = await openDatabaseOrExplain(loaded.config, io);
    if ("exit" in database) return database.exit;
    await database.dataSource.destroy();
    const { applied } = database;
    io.out(
      applied.length === 0
        ? "database is up to date"
        : `applied ${applied.length} migration(s): ${applied.join(", ")}`,
    );
    return ExitCode.ok;
  },
};
