import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { describeDatabaseError } from "./database-error.js";
import { databaseLocation, openDatabase } from "../store/data-source.js";
import { LiveDirectory } from "../config/live-directory.js";
import { formatPath, formatProblem } from "../config/problems.js";
import { createLogger } from "../ops/log.js";

export const startCommand: CliCommand = {
  name: "start",
  summary: "run the bot (applies pending migrations first)",
  options: configOption,
  async run({ values }, io) {
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const { config, file } = loaded;
    const log = createLogger(config.logging.level);

    let database;
    try {
      database = await openDatabase(databaseLocation(config));
    } catch (error) {
      io.err(describeDatabaseError(config, error));
      return ExitCode.database;
    }
    if (database.applied.length > 0)
      log.info("migrations applied", { count: database.applied.length });

    const directory = new LiveDirectory(file, config, io.env);
    const onHangup = (): void => {
      void directory.reload().then((outcome) => {
        if (!outcome.ok) {
          for (const problem of outcome.problems) {
            log.error("configuration problem", { key: formatPath(problem.path) });
            io.err(`  ${formatProblem(problem)}`);
          }
          log.error("configuration reload refused; the previous directory stays in force", {
            count: outcome.problems.length,
          });
          return;
        }
        log.info("directory reloaded", { count: directory.directory.organisations.length });
        for (const key of outcome.restartNeededFor)
          log.warn("changed key takes effect on restart", { key });
      });
    };
    process.on("SIGHUP", onHangup);
    log.info("dsx-bot started", { count: config.organisations.length });

    // Signal handlers alone do not keep Node's event loop alive.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => {
        resolve("SIGTERM");
      });
      process.once("SIGINT", () => {
        resolve("SIGINT");
      });
    });
    log.info("shutting down", { reason: signal });
    clearInterval(keepAlive);
    process.off("SIGHUP", onHangup);
    await database.dataSource.destroy();
    log.info("stopped");
    return ExitCode.ok;
  },
};
