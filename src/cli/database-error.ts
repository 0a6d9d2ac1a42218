import type { DataSource } from "typeorm";
import type { BotConfig } from "../config/schema.js";
import { databaseLocation, openDatabase } from "../store/data-source.js";
import { keyOpeningDatabase } from "../store/data-key-check.js";
import { FieldCipher } from "../store/field-cipher.js";
import type { CliIo } from "./command.js";
import { ExitCode } from "./exit-codes.js";

/**
 * Opens the configured database (applying pending migrations) and checks that one of `keys`
 * (`dataKey` unless told) opens it, or says in one line why not and gives the exit code.
 * "unchecked" is for restore, which fills an empty database with a backup's own check.
 */
export async function openDatabaseOrExplain(
  config: BotConfig,
  io: CliIo,
  keys: readonly Buffer[] | "unchecked" = [config.dataKey],
): Promise<{ dataSource: DataSource; applied: string[] } | { exit: ExitCode }> {
  let opened: { dataSource: DataSource; applied: string[] };
  try {
    opened = await openDatabase(databaseLocation(config));
  } catch (error) {
    io.err(describeDatabaseError(config, error));
    return { exit: ExitCode.database };
  }
  if (keys === "unchecked") return opened;
  try {
    const ciphers = keys.map((key) => new FieldCipher(key));
    if ((await keyOpeningDatabase(opened.dataSource, ciphers)) === undefined) {
      await opened.dataSource.destroy();
      io.err(
        `dataKey does not open this database (${describeDatabase(config)}): its sealed values ` +
          "were made with another key. Set dataKey to the key this database was set up with; " +
          "a new key is taken only through dsx-bot rotate-key",
      );
      return { exit: ExitCode.dataKey };
    }
    return opened;
  } catch (error) {
    await opened.dataSource.destroy();
    io.err(describeDatabaseError(config, error));
    return { exit: ExitCode.database };
  }
}

/** A one-line explanation of why the database could not be opened, without secrets. */
export function describeDatabaseError(config: BotConfig, error: unknown): string {
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return `cannot open the ${describeDatabase(config)}: ${reason}`;
}

/** Which database the configuration names, without secrets. */
function describeDatabase(config: BotConfig): string {
  return config.database.type === "sqlite"
    ? `SQLite database ${config.database.path ?? ""}`
    : `PostgreSQL database at ${redactUrl(config.database.url)}`;
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
