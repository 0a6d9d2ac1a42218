import type { CliCommand } from "./command.js";
import { loadConfigFile } from "../config/load.js";
import { formatProblem } from "../config/problems.js";
import { ExitCode } from "./exit-codes.js";
import { DEFAULT_CONFIG_FILE, configOption } from "./config-option.js";

export const checkConfigCommand: CliCommand = {
  name: "check-config",
  summary: "validate a configuration file and list every problem by key path",
  operands: "[FILE]",
  options: {
    ...configOption,
    "require-env": {
      type: "boolean",
      description: "treat an unset ${VARIABLE} as an error, as `start` does (default: a warning)",
    },
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 1) {
      io.err("check-config takes one file");
      return ExitCode.usage;
    }
    const file = positionals[0] ?? (values.config as string | undefined) ?? DEFAULT_CONFIG_FILE;
    const result = await loadConfigFile(file, io.env, {
      requireEnv: values["require-env"] === true,
    });
    if (result.ok) {
      for (const warning of result.warnings)
        io.err(`  note: ${formatProblem(warning)} (needed at start)`);
      const orgs = result.config.organisations.length;
      io.out(`${file}: valid (${orgs} organisation${orgs === 1 ? "" : "s"})`);
      return ExitCode.ok;
    }
    io.err(`${file}: ${result.problems.length} problem(s):`);
    for (const problem of result.problems) io.err(`  ${formatProblem(problem)}`);
    return ExitCode.config;
  },
};
