import type { CliCommand } from "./command.js";
import { ExitCode } from "./exit-codes.js";

const DEFAULT_PORT = 8008;

export const demoCommand: CliCommand = {
  name: "demo",
  summary:
    "play an incident with a community alert and a vulnerability disclosure on an embedded homeserver, then keep it running to log in",
  options: {
    port: {
      type: "string",
      description: `the homeserver's port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)`,
    },
    "exit-when-done": {
      type: "boolean",
      description: "stop everything once the story is told (for tests and CI)",
    },
  },
  async run({ values }, io) {
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.err(`dsx-bot demo: --port must be a port number, got ${String(values.port)}`);
      return ExitCode.usage;
    }
    // Loaded only when asked for: the demo brings the test homeserver and test clients along.
    const { runDemo } = await import("../demo/demo.js");
    return runDemo({ port, exitWhenDone: values["exit-when-done"] === true }, io);
  },
};
