import type { BotConfig } from "../config/schema.js";
import { loadConfigFile } from "../config/load.js";
import { formatProblem } from "../config/problems.js";
import type { CliIo, CliOption } from "./command.js";
import { ExitCode } from "./exit-codes.js";

export const DEFAULT_CONFIG_FILE = "bot.yaml";

export const configOption: Record<string, CliOption> = {
  config: {
    type: "string",
    short: "c",
    description: `configuration file (default ./${DEFAULT_CONFIG_FILE})`,
  },
};

/** Loads the configuration named by `--config`, or prints every problem and gives the exit code. */
export async function loadConfigOrExplain(
  file: string | undefined,
  io: CliIo,
): Promise<{ config: BotConfig; file: string } | { exit: ExitCode }> {
  const path = file ?? DEFAULT_CONFIG_FILE;
  const result = await loadConfigFile(path, io.env);
  if (result.ok) return { config: result.config, file: path };
  io.err(`${path}: ${result.problems.length} problem(s):`);
  for (const problem of result.problems) io.err(`  ${formatProblem(problem)}`);
  if (file === undefined && result.problems[0]?.message.includes("no such file")) {
    io.err(`Copy bot.example.yaml to ${DEFAULT_CONFIG_FILE} and edit it, or pass --config FILE.`);
  }
  return { exit: ExitCode.config };
}
