import type { CliCommand, CliIo } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { configOption, loadConfigOrExplain } from "./config-option.js";
import { openDatabaseOrExplain } from "./database-error.js";
import { startBot, type RunningBot } from "../bot/bot.js";
import { LiveDirectory } from "../config/live-directory.js";
import type { BotConfig } from "../config/schema.js";
import { formatPath, formatProblem } from "../config/problems.js";
import { SessionError } from "../matrix/session.js";
import { createLogger, type Logger } from "../log/log.js";
import { claimStateDir, InstanceRunningError, type InstanceLock } from "../ops/instance-lock.js";
import { OpsEndpoint } from "../ops/ops-endpoint.js";

export const startCommand: CliCommand = {
  name: "start",
  summary: "run the bot (applies pending migrations first)",
  options: configOption,
  async run({ values }, io) {
    const loaded = await loadConfigOrExplain(values.config as string | undefined, io);
    if ("exit" in loaded) return loaded.exit;
    const { config } = loaded;
    const claim = await claimOrExplain(config.bot.stateDir, io.err);
    if ("exit" in claim) return claim.exit;
    try {
      return await run(loaded, io);
    } finally {
      await claim.lock.release();
    }
  },
};

/** The state directory for this process alone, or the sentence and exit code for why not. */
async function claimOrExplain(
  stateDir: string,
  err: (line: string) => void,
): Promise<{ lock: InstanceLock } | { exit: ExitCode }> {
  try {
    return { lock: await claimStateDir(stateDir) };
  } catch (error) {
    if (!(error instanceof InstanceRunningError)) throw error;
    err(`cannot start: ${error.message}`);
    return { exit: ExitCode.session };
  }
}

async function run(
  { config, file }: { config: BotConfig; file: string },
  io: CliIo,
): Promise<ExitCode> {
  const log = createLogger(config.logging.level);

  const database = await openDatabaseOrExplain(config, io);
  if ("exit" in database) return database.exit;
  if (database.applied.length > 0)
    log.info("migrations applied", { count: database.applied.length });

  let bot: RunningBot | undefined;
  let endpoint: OpsEndpoint | undefined;
  if (config.ops.metrics) {
    const { host, port } = config.ops.metrics;
    try {
      endpoint = await OpsEndpoint.start({
        host,
        port,
        probe: () => bot,
        log: log.child({ component: "ops" }),
      });
    } catch (error) {
      io.err(`cannot serve ops.metrics on ${host}:${port}: ${(error as Error).message}`);
      await database.dataSource.destroy();
      return ExitCode.failure;
    }
    log.info("health and metrics endpoint listening", {
      key: "ops.metrics",
      port: endpoint.port,
    });
  }

  const directory = new LiveDirectory(file, config, io.env);
  const onHangup = (): void => {
    void reload(directory, log, io.err, () => bot);
  };
  process.on("SIGHUP", onHangup);
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => {
      resolve("SIGTERM");
    });
    process.once("SIGINT", () => {
      resolve("SIGINT");
    });
  });
  log.info("dsx-bot started", { count: config.organisations.length, pid: process.pid });

  let exit: ExitCode = ExitCode.ok;
  const started = startBot(config, directory, database.dataSource, log).then(
    (running) => (bot = running),
    (error: unknown) => {
      if (error instanceof SessionError) io.err(`cannot start: ${error.message}`);
      log.error("the bot could not start", { error });
      exit = error instanceof SessionError ? ExitCode.session : ExitCode.failure;
    },
  );
  const first = await Promise.race([stopRequested, started.then(() => undefined)]);
  if (first !== undefined) {
    // Stopped while still starting (e.g. waiting for the homeserver): nothing is half-done
    // that the stores would not survive, so the process just ends (cli.ts exits).
    log.info("shutting down during start-up", { reason: first });
    await endpoint?.close();
    return ExitCode.ok;
  }
  if (bot) log.info("shutting down", { reason: await stopRequested });
  process.off("SIGHUP", onHangup);
  await endpoint?.close();
  await bot?.stop();
  await database.dataSource.destroy();
  log.info("stopped");
  return exit;
}

async function reload(
  directory: LiveDirectory,
  log: Logger,
  err: (line: string) => void,
  running: () => RunningBot | undefined,
): Promise<void> {
  const outcome = await directory.reload();
  if (!outcome.ok) {
    for (const problem of outcome.problems) {
      log.error("configuration problem", { key: formatPath(problem.path) });
      err(`  ${formatProblem(problem)}`);
    }
    log.error("configuration reload refused; the previous directory stays in force", {
      count: outcome.problems.length,
    });
    return;
  }
  log.info("directory reloaded", { count: directory.directory.organisations.length });
  for (const key of outcome.restartNeededFor)
    log.warn("changed key takes effect on restart", { key });
  // Someone the new directory no longer admits to a case leaves its room now, not at restart.
  try {
    await running()?.directoryReloaded();
  } catch (error) {
    log.error("could not check the case rooms against the reloaded directory", { error });
  }
}
