import type { Room } from "matrix-js-sdk";
// The demo is the one part of dsx-bot that runs test support: the embedded homeserver and the
// Element-like test clients. Only this module loads it, and the CLI loads this module lazily.
import { DsxWorld } from "../../test/support/bot/dsx-world.js";
import type { CliIo } from "../cli/command.js";
import { ExitCode } from "../cli/exit-codes.js";
import { CAST, DEMO_DISCLOSURE, playStory } from "./story.js";
import { Transcript } from "./transcript.js";

export interface DemoOptions {
  /** The homeserver's port (0: a free one). */
  readonly port: number;
  /** Stop everything once the story is told, instead of waiting for Ctrl-C. */
  readonly exitWhenDone: boolean;
}

/** The demo's configuration beyond the directory DsxWorld writes. */
function demoConfig(): string[] {
  const d = DEMO_DISCLOSURE;
  return [
    "policy:",
    "  undecryptable: { askToResendAfter: PT10S }",
    `  disclosure: { respondWithin: ${d.respondWithin}, escalateAfter: ${d.escalateAfter}, discloseAfter: ${d.discloseAfter}, remindBefore: ${d.remindBefore}, advisoryQuorum: 2 }`,
    "logging: { level: info }",
    "ops: { metrics: { host: 127.0.0.1, port: 0 } }",
  ];
}

/**
 * `dsx-bot demo`: a homeserver, the bot (as `dsx-bot start` runs it) and scripted people with
 * end-to-end encryption play an incident (with a community alert) and a vulnerability disclosure, printed as a
 * transcript; then the homeserver and the bot keep running for a person to log in, until Ctrl-C.
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<ExitCode> {
  io.out("dsx-bot demo: starting a homeserver, the bot and the people of the story...");
  let world: DsxWorld;
  try {
    world = await DsxWorld.create(demoConfig(), { homeserverPort: options.port });
  } catch (error) {
    const inUse = (error as { code?: string }).code === "EADDRINUSE";
    io.err(
      inUse
        ? `port ${options.port} is in use: pass --port with another port, or 0 for a free one`
        : `the demo could not start: ${describe(error)}`,
    );
    return ExitCode.failure;
  }
  // The bot is a child process: it must not outlive the demo, however the demo ends.
  const killBot = (): void => {
    world.bot?.child.kill("SIGKILL");
  };
  process.on("exit", killBot);
  const stopRequested = new Promise<"stop">((resolve) => {
    process.once("SIGINT", () => {
      resolve("stop");
    });
    process.once("SIGTERM", () => {
      resolve("stop");
    });
  });
  try {
    const bot = await world.startBot();
    const endpoint = JSON.parse(
      await bot.waitForLine(/"msg":"health and metrics endpoint listening"/),
    ) as { port: number };
    const metricsUrl = `http://127.0.0.1:${endpoint.port}`;
    io.out(`homeserver ${world.homeserver.url}, bot ${world.botUserId}, metrics ${metricsUrl}`);
    const transcript = new Transcript(io.out, world.botUserId, roomNamer(world));
    const told = await Promise.race([
      playStory(world, transcript).then(() => "told"),
      stopRequested,
    ]);
    if (told === "stop") return ExitCode.ok;
    io.out("");
    io.out(`The story took ${transcript.elapsedSeconds().toFixed(1)} s.`);
    if (options.exitWhenDone) return ExitCode.ok;
    // The scripted devices have done their part; the person who logs in talks to the bot alone.
    for (const client of world.clients) client.stop();
    printCredentials(io, world, metricsUrl);
    await stopRequested;
    return ExitCode.ok;
  } catch (error) {
    io.err(`the demo failed: ${describe(error)}`);
    return ExitCode.failure;
  } finally {
    await world.stop();
    process.off("exit", killBot);
    io.out("demo stopped: the bot and the homeserver are down");
  }
}

function printCredentials(io: CliIo, world: DsxWorld, metricsUrl: string): void {
  const width = Math.max(...CAST.map(([name]) => world.user(name).length));
  io.out("");
  io.out(`The homeserver keeps running at ${world.homeserver.url}`);
  io.out("Log in with any Matrix client (in Element: edit the homeserver, enter that URL):");
  for (const [name, who] of CAST)
    io.out(`  ${world.user(name).padEnd(width)}  password ${`${name}-password`.padEnd(16)} ${who}`);
  io.out(
    `Then open a direct message with ${world.botUserId} and write "help". Earlier messages were`,
  );
  io.out("encrypted for the demo's own devices, so a new login cannot read them.");
  io.out(`Health and metrics: ${metricsUrl}/healthz, ${metricsUrl}/readyz, ${metricsUrl}/metrics`);
  io.out("Press Ctrl-C to stop.");
}

/** Names a room as the transcript shows it: a configured room, a case room or a direct room. */
function roomNamer(world: DsxWorld): (room: Room) => string {
  const configured = new Map(Object.entries(world.rooms).map(([key, id]) => [id, `#${key}`]));
  return (room) => {
    const known = configured.get(room.roomId);
    if (known !== undefined) return known;
    if (/^(?:INC|VUL|COC)-\d{4}-\d+$/.test(room.name)) return `#${room.name}`;
    const others = room
      .getMembers()
      .filter(
        (m) => ["join", "invite"].includes(m.membership ?? "") && m.userId !== world.botUserId,
      )
      .map((m) => /^@([^:]+)/.exec(m.userId)?.[1] ?? m.userId);
    return others.length > 0 ? `${others.join("+")} ↔ bot` : room.name;
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}
