#!/usr/bin/env node
import "./matrix/polyfills.js";
import { runCli } from "./cli/run.js";

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
