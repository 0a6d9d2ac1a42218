/** Exit codes that scripts can rely on (documented in README). */
export const ExitCode = {
  ok: 0,
  /** An unexpected failure: a bug or an infrastructure error the bot could not handle. */
  failure: 1,
  /** The command line was wrong: unknown command or option, missing argument. */
  usage: 2,
  /** The configuration file is missing or invalid. */
  config: 3,
  /** The database cannot be reached or its migrations failed. */
  database: 4,
  /**
   * The bot cannot log in, its state directory belongs to another account or device, or another
   * bot is running on it.
   */
  session: 5,
  /** `dataKey` does not open the database: not the key its sealed values were made with. */
  dataKey: 6,
  /** The command needs the bot stopped (backup, rotate-key), and it is running. */
  botRunning: 7,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
