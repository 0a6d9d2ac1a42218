import { BenchWorld, type BotProcess } from "./bench-world.js";
import { askStatus, ReplyWatch, type Partner } from "./reply-watch.js";
import { makeRemindersDue, seedReminders, seedTicketRooms } from "./seeded-state.js";

export interface SeededState {
  readonly ticketRooms: number;
  readonly reminders: number;
  /** First start (new device, full initial sync): spawn to ready. */
  readonly coldReadySeconds: number;
  /** RSS of the bot with that state, after answering commands, and its peak so far. */
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** Of that RSS: the JavaScript heap in use, and memory outside it (the crypto's WebAssembly). */
  readonly heapUsedMb: number;
  readonly externalMb: number;
  /** A restart with the state (reminders pending): spawn to the first answer received. */
  readonly startupSeconds: number;
  /** A restart after the reminders came due while the bot was down. */
  readonly startupWithDueSeconds: number;
  /** From spawn until every due reminder has fired. */
  readonly fireSeconds: number;
  readonly peakRssWithDueMb: number;
}

const DAY_MS = 24 * 3600_000;

/**
 * The bot with 1,000 open ticket rooms and 10,000 pending reminders seeded before it starts:
 * memory, start-up to the first answered command, and firing reminders that came due while it
 * was down. The partner's `status` is sent the moment the bot process is spawned, so the time
 * counts everything from process start to the answer on the partner's screen.
 */
export async function measureSeededState(
  ticketRooms: number,
  reminders: number,
  log: (line: string) => void,
  nodeArgs: readonly string[] = [],
): Promise<SeededState> {
  const world = await BenchWorld.create(1);
  try {
    log(`seeding ${String(ticketRooms)} ticket rooms and ${String(reminders)} reminders`);
    await seedTicketRooms(world, ticketRooms);
    await seedReminders(world, reminders, Date.now() + DAY_MS);

    let bot = world.spawnBot(nodeArgs);
    await bot.ready(300_000);
    const coldReadySeconds = (performance.now() - bot.startedAt) / 1000;
    const { partner: person, roomId } = await world.partnerWithDirectRoom(1);
    const partner: Partner = { person, roomId };
    const watch = new ReplyWatch(world.botUserId);
    watch.watch(person, roomId);
    for (let i = 0; i < 10; i++) await askStatus(watch, partner);
    await world.stopBot();

    log("restart with the state");
    const restart = await startAndAsk(world, watch, partner, nodeArgs);
    bot = restart.bot;
    for (let i = 0; i < 10; i++) await askStatus(watch, partner);
    const { rssMb, peakRssMb } = bot.memory();
    const heapUsedMb = (await bot.metric("nodejs_heap_size_used_bytes")) / 2 ** 20;
    const externalMb = (await bot.metric("nodejs_external_memory_bytes")) / 2 ** 20;
    await world.stopBot();

    log("restart after the reminders came due");
    await makeRemindersDue(world, Date.now() - 3600_000);
    const due = await startAndAsk(world, watch, partner, nodeArgs);
    bot = due.bot;
    const fired = await waitForMetric(bot, "dsx_jobs_fired_total", reminders, 600_000);
    const fireSeconds = (fired - bot.startedAt) / 1000;
    const peakRssWithDueMb = bot.memory().peakRssMb;
    await world.stopBot();
    return {
      ticketRooms,
      reminders,
      coldReadySeconds,
      rssMb,
      peakRssMb,
      heapUsedMb,
      externalMb,
      startupSeconds: restart.seconds,
      startupWithDueSeconds: due.seconds,
      fireSeconds,
      peakRssWithDueMb,
    };
  } finally {
    await world.stop();
  }
}

/** Spawns the bot and at once sends `status`; resolves when the answer arrives. */
async function startAndAsk(
  world: BenchWorld,
  watch: ReplyWatch,
  partner: Partner,
  nodeArgs: readonly string[],
): Promise<{ bot: BotProcess; seconds: number }> {
  const bot = world.spawnBot(nodeArgs);
  const answered = watch.next(partner.roomId, 300_000);
  await partner.person.sendText(partner.roomId, "status");
  const at = await answered;
  return { bot, seconds: (at - bot.startedAt) / 1000 };
}

/** Polls the bot's metrics endpoint until `name` reaches `value`; resolves with when it did. */
async function waitForMetric(
  bot: BotProcess,
  name: string,
  value: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await bot.metric(name)) >= value) return performance.now();
    if (performance.now() > deadline)
      throw new Error(`${name} did not reach ${String(value)} within ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
