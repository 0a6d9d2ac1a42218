import type { ExitCode } from "./exit-codes.js";

/** Where a command writes, and what it reads from the environment: injectable for tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CliOption {
  type: "string" | "boolean";
  short?: string;
  description: string;
}

/** A command of `dsx-bot`, declared as data: help is generated from these fields. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Positional arguments, e.g. `[FILE]`. */
  operands?: string;
  options: Record<string, CliOption>;
  run(
    input: { values: Record<string, string | boolean | undefined>; positionals: string[] },
    io: CliIo,
  ): Promise<ExitCode>;
}
