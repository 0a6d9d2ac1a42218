#!/usr/bin/env node
import "./matrix/polyfills.js";
import { runCli } from "./cli/run.js";

// Everything the bot and its commands write (the database and its WAL, the E2EE store, the
// session, backups) is for its own user alone, whatever umask the shell or service gave it.
process.umask(0o077);

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
// The command is done; timers a library left behind must not keep the process alive.
process.exit(code);
