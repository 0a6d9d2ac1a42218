import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { In } from "typeorm";
import { caseRoomOptions } from "../src/matrix/rooms.js";
import { openDatabase } from "../src/store/data-source.js";
import { Incident } from "../src/store/entities/incident.js";
import { ScheduledJob } from "../src/store/entities/scheduled-job.js";
import { FieldCipher } from "../src/store/field-cipher.js";
import { PARTNER_ORG, TICKET_PARTNER, TICKET_PROVIDER, type BenchWorld } from "./bench-world.js";

/** The kind of the seeded reminders: the disclosure schedule's reminder to the DSX team. */
export const REMINDER_KIND = "vuln.reminder";

/**
 * 1,000 open tickets as the bot would have made them: each ticket room made by the bot's account
 * the way the bot makes it (encrypted, invite-only, the case marker, the bot's power levels)
 * with the partner and the provider joined, and the open incident in the bot's database.
 */
export async function seedTicketRooms(world: BenchWorld, count: number): Promise<void> {
  const bot = world.botUserId;
  const people = [world.user(TICKET_PARTNER), world.user(TICKET_PROVIDER)];
  const caseIds = Array.from(
    { length: count },
    (_, i) => `INC-2026-${String(i + 1).padStart(4, "0")}`,
  );
  const roomIds = new Map<string, string>();
  // A few at a time: the homeserver is in this process, the bot is not running yet.
  for (let i = 0; i < caseIds.length; i += 8) {
    await Promise.all(
      caseIds.slice(i, i + 8).map(async (caseId) => {
        const roomId = await world.createRoom(world.botAccessToken, {
          ...caseRoomOptions("ticket", caseId, bot),
          invite: people,
        });
        for (const person of people) world.homeserver.forceJoin(roomId, person);
        roomIds.set(caseId, roomId);
      }),
    );
  }
  const cipher = new FieldCipher(Buffer.from(String(world.env["DSX_DATA_KEY"]), "base64"));
  await withDatabase(world, async (dataSource) => {
    const now = Date.now();
    const rows = caseIds.map((caseId) => ({
      caseId,
      type: "phishing",
      state: "in-progress" as const,
      openedMonth: new Date(now).toISOString().slice(0, 7),
      closedMonth: null,
      hoursToMatch: 1,
      hoursToClose: null,
      urgency: "high",
      label: "AMBER" as const,
      language: "en",
      region: null,
      reporterId: people[0] ?? null,
      partnerOrg: PARTNER_ORG,
      providerOrg: "securelab",
      reporterRoomId: null,
      ticketRoomId: roomIds.get(caseId) ?? null,
      participants: JSON.stringify(people),
      consent: true,
      description: cipher.encrypt("a seeded description", `incident.description:${caseId}`),
      measures: cipher.encrypt("none", `incident.measures:${caseId}`),
      offeredTo: null,
      declinedBy: null,
      matchedAt: now,
      summaryPosted: true,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await dataSource.manager.insert(Incident, rows.slice(i, i + 200));
  });
}

/**
 * `count` pending reminders of the disclosure schedule, due at `dueAt`. They name cases that are
 * not open, so firing one is the scheduler's own work (read, run the task, mark fired in one
 * transaction) and sends nothing: the cost of sending is what the throughput measures.
 */
export async function seedReminders(world: BenchWorld, count: number, dueAt: number) {
  await withDatabase(world, async (dataSource) => {
    const now = Date.now();
    const rows = Array.from({ length: count }, (_, i) => ({
      kind: REMINDER_KIND,
      dueAt: dueAt + i,
      caseId: `VUL-2025-${String(i + 1).padStart(5, "0")}`,
      payload: JSON.stringify({ deadline: "respond" }),
      firedAt: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await dataSource.manager.insert(ScheduledJob, rows.slice(i, i + 500));
  });
}

/** Moves the pending reminders into the past: they came due while the bot was down. */
export async function makeRemindersDue(world: BenchWorld, dueAt: number): Promise<void> {
  await withDatabase(world, async (dataSource) => {
    await dataSource.manager.update(ScheduledJob, { kind: In([REMINDER_KIND]) }, { dueAt });
  });
}

async function withDatabase(
  world: BenchWorld,
  use: (dataSource: Awaited<ReturnType<typeof openDatabase>>["dataSource"]) => Promise<void>,
): Promise<void> {
  mkdirSync(dirname(world.databaseFile), { recursive: true, mode: 0o700 });
  const { dataSource } = await openDatabase({ type: "sqlite", path: world.databaseFile });
  try {
    await use(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
