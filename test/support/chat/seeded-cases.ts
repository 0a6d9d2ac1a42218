import { expect } from "chai";
import { OFFER_JOB, TICKET_ROOM_JOB } from "../../../src/cases/incidents/jobs.js";
import { ChatWorld, PEOPLE, type Queued } from "./chat-world.js";

/** A world with one case of each kind open, and their rooms. */
export interface SeededCases {
  readonly world: ChatWorld;
  readonly ids: {
    readonly INC: string;
    readonly VUL: string;
    readonly COC: string;
    readonly ALR: string;
  };
  readonly ticketRoom: string;
  readonly reportRoom: string;
}

/** The case id of the first message that names one of this kind. */
function caseIn(messages: readonly Queued[], kind: string): string {
  const id = messages
    .map((m) => m.content["org.dsx.case"])
    .find((c) => typeof c === "string" && c.startsWith(`${kind}-`));
  expect(id, `a ${kind} case in ${JSON.stringify(messages.map((m) => m.content.body))}`).to.be.a(
    "string",
  );
  return id ?? "";
}

/** Answers a conversation's questions in order, as a person who knows what to say. */
async function converse(world: ChatWorld, sender: string, lines: readonly string[]) {
  const said: Queued[] = [];
  for (const line of lines) said.push(...(await world.say(world.dm(sender), sender, line)));
  return said;
}

/**
 * Opens, through the bot's own commands: an incident of maria's, assigned to securelab and
 * accepted by sam, with its ticket room; a vulnerability of pablo's affecting securelab; a
 * harassment report about sam with its room; a community alert drafted in the ticket room.
 */
export async function seedCases(): Promise<SeededCases> {
  const world = await ChatWorld.create();
  const incident = caseIn(
    await converse(world, PEOPLE.maria, [
      "report incident",
      "1",
      "A fake login page",
      "nothing",
      "done",
      "high",
      "amber",
      "yes",
      "yes",
    ]),
    "INC",
  );
  await world.say(world.triage, PEOPLE.ana, `!dsx assign ${incident} securelab`);
  // The offer and the vulnerability's notice reach sam in his direct room (made by the job).
  const samsRoom = () => new Map([[PEOPLE.sam, world.dm(PEOPLE.sam)]]);
  await world.fireJobs(OFFER_JOB, samsRoom);
  await world.say(world.dm(PEOPLE.sam), PEOPLE.sam, `accept ${incident}`);
  const [ticketRoom = ""] = await world.openCaseRoom(TICKET_ROOM_JOB, "ticket");
  const vulnerability = caseIn(
    await converse(world, PEOPLE.pablo, [
      "report vulnerability",
      "securelab",
      "An open admin panel",
      "high",
      "a screenshot",
      "anonymous",
      "no",
      "yes",
    ]),
    "VUL",
  );
  await world.fireJobs("vuln.notify", samsRoom);
  const report = caseIn(
    await converse(world, PEOPLE.stranger, [
      "report harassment",
      "Insults in the chat",
      PEOPLE.sam,
      "yesterday, in the triage room",
      "skip",
      "no",
      "yes",
    ]),
    "COC",
  );
  const [reportRoom = ""] = await world.openCaseRoom("conduct.room", "report");
  const alert = caseIn(
    await world.say(
      ticketRoom,
      PEOPLE.maria,
      "!dsx alert GREEN Fake login pages | A phishing wave",
    ),
    "ALR",
  );
  return {
    world,
    ids: { INC: incident, VUL: vulnerability, COC: report, ALR: alert },
    ticketRoom,
    reportRoom,
  };
}
