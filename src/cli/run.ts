import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import { checkConfigCommand } from "./check-config.js";
import { migrateCommand } from "./migrate.js";
import { startCommand } from "./start.js";
import { demoCommand } from "./demo.js";
import { backupCommand } from "./backup.js";
import { restoreCommand } from "./restore.js";
import { rotateKeyCommand } from "./rotate-key.js";

/** Every command of `dsx-bot`, in the order help lists them. */
export const commands: readonly CliCommand[] = [
  startCommand,
  migrateCommand,
  checkConfigCommand,
  backupCommand,
  restoreCommand,
  rotateKeyCommand,
  demoCommand,
];

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: dsx-bot <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `dsx-bot <command> --help` for a command's options.",
  ].join("\n");
}

export function commandHelp(command: CliCommand): string {
  const lines = [
    `Usage: dsx-bot ${command.name}${command.operands ? ` ${command.operands}` : ""} [options]`,
    "",
    command.summary,
    "",
    "Options:",
  ];
  const options = Object.entries(command.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? " VALUE" : ""}`;
    return [flag, option.description] as const;
  });
  options.push(["-h, --help", "show this help"]);
  const width = Math.max(...options.map(([flag]) => flag.length));
  lines.push(...options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  return lines.join("\n");
}

/** Runs `dsx-bot` with the given arguments; resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`dsx-bot: unknown command "${name}"`);
    io.err(usage());
    return ExitCode.usage;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: command.operands !== undefined,
      strict: true,
    });
  } catch (error) {
    io.err(`dsx-bot ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    io.err(commandHelp(command));
    return ExitCode.usage;
  }
  if (parsed.values.help === true) {
    io.out(commandHelp(command));
    return ExitCode.ok;
  }
  return command.run({ values: parsed.values, positionals: parsed.positionals }, io);
}
