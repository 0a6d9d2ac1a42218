/**
 * `npm run bench`: the crypto's own limit, end-to-end throughput and latency, memory and
 * start-up with a large state, and the TLP membership check; prints a table and writes
 * bench/results/latest.json. `-- --profile` also writes the bot's CPU profile (node --cpu-prof)
 * of the load runs to bench/results/profiles/. `-- --quick` runs everything shorter (a smoke run).
 */
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchWorld } from "./bench-world.js";
import { measureLatency, measureThroughput } from "./command-load.js";
import { measureCryptoLimit } from "./crypto-limit.js";
import { measureMembershipCheck } from "./membership-check.js";
import { askStatus, ReplyWatch, type Partner } from "./reply-watch.js";
import { printTable, writeJson, type Row } from "./report.js";
import { measureSeededState } from "./seeded-start.js";
import { TARGETS } from "./targets.js";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const profile = args.has("--profile");
const resultsDir = fileURLToPath(new URL("../../bench/results/", import.meta.url));

const profileArgs = profile ? ["--cpu-prof", `--cpu-prof-dir=${join(resultsDir, "profiles")}`] : [];

const settings = {
  cryptoRounds: quick ? 200 : 2000,
  partners: quick ? 8 : 20,
  warmupSeconds: quick ? 2 : 5,
  throughputSeconds: quick ? 5 : 20,
  latencyPerSecond: 20,
  latencySeconds: quick ? 5 : 30,
  membershipMembers: 1000,
  membershipRounds: quick ? 50 : 500,
  ticketRooms: quick ? 100 : 1000,
  reminders: quick ? 1000 : 10_000,
};

// Other work on the machine takes CPU from the bot and the clients: recorded with the results.
const loadBefore = loadavg();
const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

log("crypto limit (OlmMachine with the durable store, in process)");
const crypto = await measureCryptoLimit(settings.cryptoRounds);

log(`end to end: homeserver, bot process, ${String(settings.partners)} partners`);
const world = await BenchWorld.create(settings.partners);
let load;
let membership;
try {
  const bot = world.spawnBot(profileArgs);
  await bot.ready(120_000);
  const watch = new ReplyWatch(world.botUserId);
  const partners: Partner[] = [];
  for (let n = 1; n <= settings.partners; n++) {
    const { partner: person, roomId } = await world.partnerWithDirectRoom(n);
    watch.watch(person, roomId);
    partners.push({ person, roomId });
  }
  // Each room's first exchange shares its keys; not part of what is measured.
  await Promise.all(partners.map((partner) => askStatus(watch, partner)));
  log("sustained throughput");
  const botCpuBefore = bot.cpuMs();
  const harnessCpuBefore = process.cpuUsage();
  const throughputRun = await measureThroughput(
    watch,
    partners,
    settings.warmupSeconds,
    settings.throughputSeconds,
  );
  // CPU per command: what the machine's other load does not change much, unlike the rates.
  const harnessCpu = process.cpuUsage(harnessCpuBefore);
  const throughput = {
    ...throughputRun,
    botCpuMsPerCommand: (bot.cpuMs() - botCpuBefore) / throughputRun.answeredInRun,
    harnessCpuMsPerCommand:
      (harnessCpu.user + harnessCpu.system) / 1000 / throughputRun.answeredInRun,
  };
  log("latency at a fixed offered load");
  const latency = await measureLatency(
    watch,
    partners.slice(0, 20),
    settings.latencyPerSecond,
    settings.latencySeconds,
  );
  const rssAfterLoadMb = bot.memory().rssMb;
  await world.stopBot();
  load = { throughput, latency, rssAfterLoadMb };
  log("membership check");
  membership = await measureMembershipCheck(
    world.homeserver,
    settings.membershipMembers,
    settings.membershipRounds,
  );
} finally {
  await world.stop();
}

const seeded = await measureSeededState(settings.ticketRooms, settings.reminders, log, profileArgs);

const rows: Row[] = [
  { what: "crypto limit: decrypt (bot side)", value: crypto.decryptPerSecond, unit: "events/s" },
  { what: "crypto limit: share key + encrypt", value: crypto.encryptPerSecond, unit: "events/s" },
  {
    what: "crypto limit: commands (1 decrypt + 1 encrypt)",
    value: crypto.commandsPerSecond,
    unit: "cmd/s",
  },
  {
    what: `sustained throughput (${String(settings.partners)} partners)`,
    value: load.throughput.commandsPerSecond,
    unit: "cmd/s",
    target: TARGETS.throughput,
  },
  {
    what: "bot CPU per command",
    value: load.throughput.botCpuMsPerCommand,
    unit: "ms",
  },
  {
    what: "bot capacity on one free core (1000 / CPU ms)",
    value: 1000 / load.throughput.botCpuMsPerCommand,
    unit: "cmd/s",
  },
  {
    what: "harness CPU per command (clients, homeserver)",
    value: load.throughput.harnessCpuMsPerCommand,
    unit: "ms",
  },
  {
    what: "throughput / crypto limit",
    value: (100 * load.throughput.commandsPerSecond) / crypto.commandsPerSecond,
    unit: "%",
  },
  { what: "latency p50 at 20 cmd/s", value: load.latency.latencyMs.p50, unit: "ms" },
  {
    what: "latency p95 at 20 cmd/s",
    value: load.latency.latencyMs.p95,
    unit: "ms",
    target: TARGETS.latencyP95,
  },
  { what: "latency p99 at 20 cmd/s", value: load.latency.latencyMs.p99, unit: "ms" },
  {
    what: `RSS, ${String(settings.ticketRooms)} rooms + ${String(settings.reminders)} reminders`,
    value: seeded.rssMb,
    unit: "MB",
    target: TARGETS.rss,
  },
  { what: "of it, JavaScript heap in use", value: seeded.heapUsedMb, unit: "MB" },
  { what: "of it, outside the heap (buffers, WebAssembly)", value: seeded.externalMb, unit: "MB" },
  {
    what: "start-up to first answer, that state",
    value: seeded.startupSeconds,
    unit: "s",
    target: TARGETS.startup,
  },
  {
    what: "start-up to first answer, reminders due",
    value: seeded.startupWithDueSeconds,
    unit: "s",
    target: TARGETS.startup,
  },
  {
    what: `fire ${String(settings.reminders)} due reminders (from spawn)`,
    value: seeded.fireSeconds,
    unit: "s",
  },
  { what: "peak RSS while firing", value: seeded.peakRssWithDueMb, unit: "MB" },
  { what: "membership check p50, 1,000 members", value: membership.totalMs.p50, unit: "ms" },
  {
    what: "membership check p95, 1,000 members",
    value: membership.totalMs.p95,
    unit: "ms",
    target: TARGETS.membershipCheck,
  },
];
printTable(rows, (line) => {
  process.stdout.write(`${line}\n`);
});
writeJson(join(resultsDir, quick ? "quick.json" : "latest.json"), {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "",
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadAverage: { before: loadBefore, after: loadavg() },
  },
  settings,
  results: { crypto, ...load, membership, seeded },
  table: rows.map(({ what, value, unit, target }) => ({
    what,
    value,
    unit,
    ...(target ? { target } : {}),
  })),
});
