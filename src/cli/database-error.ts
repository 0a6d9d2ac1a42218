import type { DataSource } from "typeorm";
import type { BotConfig } from "../config/schema.js";
import { databaseLocation, openDatabase } from "../store/data-source.js";
import type { CliIo } from "./command.js";
import { ExitCode } from "./exit-codes.js";

/**
 * Opens the configured database (applying pending migrations), or says in one line why it
 * cannot and gives the exit code.
 */
export async function openDatabaseOrExplain(
  config: BotConfig,
  io: CliIo,
): Promise<{ dataSource: DataSource; applied: string[] } | { exit: ExitCode }> {
  try {
    return await openDatabase(databaseLocation(config));
  } catch (error) {
    io.err(describeDatabaseError(config, error));
    return { exit: ExitCode.database };
  }
}

/** A one-line explanation of why the database could not be opened, without secrets. */
export function describeDatabaseError(config: BotConfig, error: unknown): string {
  const where =
    config.database.type === "sqlite"
      ? `SQLite database ${config.database.path ?? ""}`
      : `PostgreSQL database at ${redactUrl(config.database.url)}`;
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return `cannot open the ${where}: ${reason}`;
}

/** Hides the password of a database URL. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}
