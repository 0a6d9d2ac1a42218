import type { BotConfig } from "../config/schema.js";

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
