import { isDeepStrictEqual } from "node:util";
import { Directory } from "./directory.js";
import { loadConfigFile } from "./load.js";
import type { ConfigProblem } from "./problems.js";
import type { BotConfig } from "./schema.js";

/** Keys that only take effect on restart: a reload that changes them says so. */
const RESTART_KEYS = [
  "homeserver",
  "bot",
  "database",
  "dataKey",
  "policy",
  "incidents",
  "limits",
  "logging",
  "ops",
] as const;

export type ReloadOutcome =
  { ok: true; restartNeededFor: string[] } | { ok: false; problems: ConfigProblem[] };

/**
 * The directory as it is now. `reload()` reads the configuration file again (on SIGHUP) and,
 * if it is valid, swaps in the new organisations, teams and rooms at once; if it is not, the
 * old directory stays in force and the problems are returned.
 */
export class LiveDirectory {
  private current: Directory;
  private readonly listeners = new Set<(directory: Directory) => void>();

  constructor(
    private readonly file: string,
    private config: BotConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.current = new Directory(config);
  }

  get directory(): Directory {
    return this.current;
  }

  onChange(listener: (directory: Directory) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async reload(): Promise<ReloadOutcome> {
    const result = await loadConfigFile(this.file, this.env);
    if (!result.ok) return { ok: false, problems: result.problems };
    const restartNeededFor = RESTART_KEYS.filter(
      (key) => !isDeepStrictEqual(result.config[key], this.config[key]),
    );
    this.config = { ...this.config, ...pickDirectory(result.config) };
    this.current = new Directory(this.config);
    for (const listener of this.listeners) listener(this.current);
    return { ok: true, restartNeededFor };
  }
}

function pickDirectory(
  config: BotConfig,
): Pick<BotConfig, "organisations" | "abuseTeam" | "advisoryCommittee" | "rooms"> {
  return {
    organisations: config.organisations,
    abuseTeam: config.abuseTeam,
    advisoryCommittee: config.advisoryCommittee,
    rooms: config.rooms,
  };
}
