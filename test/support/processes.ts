import { spawn, type ChildProcess } from "node:child_process";
import { repositoryRoot } from "./paths.js";

/** The outcome of a command run to its end. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> ...args` to its end, with a deadline after which it is killed. */
export function runNode(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, ["--enable-source-maps", script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return finished(child, options.timeoutMs ?? 30_000);
}

/** A long-running child whose output lines can be awaited. */
export class RunningProcess {
  stdout = "";
  stderr = "";
  private readonly waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<Finished>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.check();
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      this.check();
    });
    this.exited = finished(child, 0).then(() => ({
      code: child.exitCode,
      signal: child.signalCode,
      stdout: this.stdout,
      stderr: this.stderr,
    }));
  }

  static start(
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    nodeFlags: readonly string[] = [],
  ): RunningProcess {
    return new RunningProcess(
      spawn(process.execPath, ["--enable-source-maps", ...nodeFlags, script, ...args], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  }

  /**
   * `npm start -- ...args` in the repository, as an operator runs the bot: npm's process is the
   * child, the bot's is npm's.
   */
  static npmStart(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
    return new RunningProcess(
      spawn("npm", ["start", "--", ...args], {
        cwd: repositoryRoot,
        env: { ...process.env, npm_config_update_notifier: "false", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
  }

  /** Resolves with the first output line (stdout or stderr) matching, within the deadline. */
  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const found = this.findLine(pattern);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no output line matched ${pattern} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void this.exited.then(() => {
        const line = this.findLine(pattern);
        clearTimeout(timer);
        if (line === undefined)
          reject(
            new Error(`process exited before printing ${pattern}:\n${this.stdout}\n${this.stderr}`),
          );
      });
    });
  }

  /** Stops the process (SIGKILL if it has not exited within the grace time). */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<Finished> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }

  private findLine(pattern: RegExp): string | undefined {
    return `${this.stdout}\n${this.stderr}`.split("\n").find((line) => pattern.test(line));
  }

  private check(): void {
    for (const waiter of [...this.waiters]) {
      const line = this.findLine(waiter.pattern);
      if (line !== undefined) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }
}

function finished(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer | string) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer | string) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = timeoutMs > 0 ? setTimeout(() => child.kill("SIGKILL"), timeoutMs) : undefined;
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
