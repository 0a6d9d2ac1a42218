#!/usr/bin/env node
import "./matrix/polyfills.js";
import { runCli } from "./cli/run.js";

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
// The command is done; timers a library left behind must not keep the process alive.
process.exit(code);
