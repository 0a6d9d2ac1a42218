import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import type { DsxWorld } from "../../support/bot/dsx-world.js";
import type { E2eeTestClient } from "../../support/clients/index.js";

const WAIT = 90_000;

/**
 * One thing a person does in a workflow (a message, a join) and the bot's answer to it, which
 * `answered` waits for (and records, so that `expectEachOnce` can count it afterwards).
 */
export interface Step {
  readonly name: string;
  act(): Promise<void>;
  answered(): Promise<void>;
}

/** A bot message a workflow expects: where, as whom, and how to recognise it. */
interface Expected {
  readonly what: string;
  readonly person: E2eeTestClient;
  readonly roomId: string;
  readonly matches: (event: MatrixEvent) => boolean;
}

/** The people of the workflows: ana (DSX and abuse team), partners, a provider, an affected org. */
export interface Cast {
  readonly ana: E2eeTestClient;
  readonly maria: E2eeTestClient;
  readonly mario: E2eeTestClient;
  readonly sam: E2eeTestClient;
  readonly pablo: E2eeTestClient;
}

export async function castOf(world: DsxWorld): Promise<Cast> {
  return {
    ana: await world.dsxTeamMember(),
    maria: await world.person("maria"),
    mario: await world.person("mario"),
    sam: await world.person("sam"),
    pablo: await world.person("pablo"),
  };
}

const prompt = (field: string) => (e: MatrixEvent) => e.getContent()["org.dsx.prompt"] === field;
const step = (name: string, caseId?: string) => (e: MatrixEvent) =>
  e.getContent()["org.dsx.step"] === name &&
  (caseId === undefined || e.getContent()["org.dsx.case"] === caseId);

/**
 * A workflow as a list of steps sharing what they learn (the case id, rooms the bot makes); the
 * bot's every answer is expected exactly once.
 */
export class Workflow {
  readonly steps: Step[] = [];
  private readonly expected: Expected[] = [];
  caseId = "";
  /** The room the bot made for the case (a ticket room, a report room), once known. */
  roomId = "";

  constructor(readonly world: DsxWorld) {}

  /** A step: `person` sends `text` in `room()`, then the bot's answers `answers` arrive. */
  say(
    name: string,
    person: E2eeTestClient,
    room: () => string,
    text: () => string,
    ...answers: readonly (() => Promise<void>)[]
  ): this {
    this.steps.push({
      name,
      act: async () => {
        await person.sendText(room(), text());
      },
      answered: async () => {
        for (const answer of answers) await answer();
      },
    });
    return this;
  }

  /** A step that is not a message (joining a room the bot made), with the answers to wait for. */
  do(name: string, act: () => Promise<void>, ...answers: readonly (() => Promise<void>)[]): this {
    this.steps.push({
      name,
      act,
      answered: async () => {
        for (const answer of answers) await answer();
      },
    });
    return this;
  }

  /** Waits for the bot's message matching in `room()` as `person` reads it, and expects it once. */
  expect(
    what: string,
    person: E2eeTestClient,
    room: () => string,
    matches: (event: MatrixEvent) => boolean,
    then?: (event: MatrixEvent) => void,
  ): () => Promise<void> {
    return async () => {
      const roomId = room();
      const event = await this.world.next(person, roomId, (_b, e) => matches(e), WAIT);
      then?.(event);
      // Counted later among this workflow's messages only (earlier runs share some rooms).
      const ofThisCase = (e: MatrixEvent) => {
        const caseId: unknown = e.getContent()["org.dsx.case"];
        return caseId === undefined || this.caseId === "" || caseId === this.caseId;
      };
      this.expected.push({ what, person, roomId, matches: (e) => matches(e) && ofThisCase(e) });
    };
  }

  /** Runs every step, each once its answer came (the happy path; tests interleave faults). */
  async run(from = 0, to = this.steps.length): Promise<void> {
    for (const s of this.steps.slice(from, to)) {
      await s.act();
      await s.answered();
    }
  }

  /** Every expected bot message arrived exactly once (no loss, no repeat). */
  async expectEachOnce(): Promise<void> {
    // A repeat still being decrypted would not be counted: wait for every decryption first.
    for (const { person, roomId } of this.expected) {
      const events = person.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
      for (const event of events) await event.getDecryptionPromise();
      expect(
        events.filter((e) => e.getSender() === this.world.botUserId && e.isDecryptionFailure()),
        "bot messages the person cannot decrypt",
      ).to.deep.equal([]);
    }
    const counts = this.expected.map(({ what, person, roomId, matches }) => ({
      what,
      count: this.world.botMessages(person, roomId).filter(matches).length,
    }));
    expect(
      counts.filter((c) => c.count !== 1),
      "bot messages that did not arrive exactly once",
    ).to.deep.equal([]);
  }

  get expectedCount(): number {
    return this.expected.length;
  }
}

/** Rooms a test's runs share: the direct room the bot opened with a person, once it exists. */
const directRooms = new WeakMap<E2eeTestClient, string>();

async function botDirectRoom(world: DsxWorld, person: E2eeTestClient): Promise<string> {
  let room = directRooms.get(person);
  if (room === undefined) {
    room = await person.waitForInvite(world.botUserId, () => true, WAIT);
    await person.joinRoom(room);
    directRooms.set(person, room);
  }
  return room;
}

/** A guided intake: the command, then each answer once its question is asked, to `received`. */
function intake(
  flow: Workflow,
  person: E2eeTestClient,
  inDm: () => string,
  command: string,
  answers: readonly (readonly [string, string])[],
): void {
  const first = answers[0]?.[0] ?? "";
  flow.say(
    command,
    person,
    inDm,
    () => command,
    flow.expect(`prompt ${first}`, person, inDm, prompt(first)),
  );
  answers.forEach(([field, text], i) => {
    const next = answers[i + 1]?.[0];
    flow.say(
      `answer ${field}`,
      person,
      inDm,
      () => text,
      next !== undefined
        ? flow.expect(`prompt ${next}`, person, inDm, prompt(next))
        : flow.expect("received", person, inDm, step("received"), (e) => {
            flow.caseId = String(e.getContent()["org.dsx.case"]);
          }),
    );
  });
}

/** A step: `person` opens an encrypted direct room with the bot, which joins it. */
function openDirectRoom(
  flow: Workflow,
  world: DsxWorld,
  person: E2eeTestClient,
  set: (roomId: string) => void,
): void {
  let roomId = "";
  flow.do(
    "open a direct room",
    async () => {
      roomId = await person.createEncryptedRoom({
        invite: [world.botUserId],
        isDirect: true,
        preset: "trusted_private_chat",
      });
      set(roomId);
    },
    async () => {
      await person.waitForMemberState(roomId, world.botUserId, "join", WAIT);
    },
  );
}

/** The bot made exactly one room named after the case for `person` (a crash made no second). */
function expectOneRoomNamed(person: E2eeTestClient, name: string): void {
  const rooms = person.client.getRooms().filter((room) => room.name === name);
  expect(
    rooms.map((r) => r.roomId),
    `rooms named ${name}`,
  ).to.have.length(1);
}

/**
 * An incident: maria reports it in a fresh direct room, ana assigns it to securelab, sam accepts,
 * both join the ticket room, and maria closes it.
 */
export function incidentWorkflow(world: DsxWorld, cast: Cast): Workflow {
  const { ana, maria, sam } = cast;
  const flow = new Workflow(world);
  let dm = "";
  const inDm = () => dm;
  openDirectRoom(flow, world, maria, (roomId) => (dm = roomId));
  const triage = () => world.rooms.triage;
  let samDm = "";
  let ticket = "";
  const answers: readonly (readonly [string, string])[] = [
    ["type", "1"],
    ["description", "a fake login page for our webmail"],
    ["measures", "nothing"],
    ["files", "done"],
    ["urgency", "high"],
    ["tlp", "AMBER"],
    ["consent", "yes"],
    ["confirm", "yes"],
  ];
  intake(flow, maria, inDm, "report incident", answers);
  flow.say(
    "assign",
    ana,
    triage,
    () => `!dsx assign ${flow.caseId} securelab`,
    async () => {
      samDm = await botDirectRoom(world, sam);
    },
    () => flow.expect("offer", sam, () => samDm, step("offer", flow.caseId))(),
  );
  flow.say(
    "accept",
    sam,
    () => samDm,
    () => `accept ${flow.caseId}`,
    async () => {
      ticket = await maria.waitForInvite(world.botUserId, (r) => r.name === flow.caseId, WAIT);
      flow.roomId = ticket;
    },
  );
  flow.do(
    "partner joins",
    async () => {
      await maria.joinRoom(ticket);
    },
    async () => {
      await sam.waitForInvite(world.botUserId, (r) => r.roomId === ticket, WAIT);
    },
  );
  flow.do(
    "provider joins",
    async () => {
      await sam.joinRoom(ticket);
    },
    () => flow.expect("summary", maria, () => ticket, step("summary", flow.caseId))(),
  );
  flow.say(
    "close",
    maria,
    () => ticket,
    () => "!dsx close resolved, the page was taken down",
    () => flow.expect("closed (ticket)", maria, () => ticket, step("closed", flow.caseId))(),
    () => flow.expect("closed (triage)", ana, triage, step("closed", flow.caseId))(),
    () => {
      expectOneRoomNamed(sam, flow.caseId);
      return Promise.resolve();
    },
  );
  return flow;
}

/**
 * A vulnerability: mario reports it, pablo (press-freedom) gets the notice and acknowledges it;
 * pablo, triage and mario hear of the acknowledgement.
 */
export function vulnerabilityWorkflow(world: DsxWorld, cast: Cast): Workflow {
  const { ana, mario, pablo } = cast;
  const flow = new Workflow(world);
  let dm = "";
  const inDm = () => dm;
  openDirectRoom(flow, world, mario, (roomId) => (dm = roomId));
  let pabloDm = "";
  const answers: readonly (readonly [string, string])[] = [
    ["affected", "press-freedom"],
    ["description", "the admin panel needs no password"],
    ["severity", "high"],
    ["evidence", "curl -I https://press.example/admin"],
    ["credit", "Mario R."],
    ["share-contact", "yes"],
    ["confirm", "yes"],
  ];
  intake(flow, mario, inDm, "report vulnerability", answers);
  flow.do(
    "affected party's notice",
    async () => {
      // The bot opens a direct room with the contact for the first case, and reuses it.
      pabloDm = await botDirectRoom(world, pablo);
    },
    () => flow.expect("notice", pablo, () => pabloDm, step("notice", flow.caseId))(),
  );
  flow.say(
    "ack",
    pablo,
    () => pabloDm,
    () => `ack ${flow.caseId}`,
    () => flow.expect("thanks (affected)", pablo, () => pabloDm, step("answer", flow.caseId))(),
    () =>
      flow.expect(
        "acknowledged (triage)",
        ana,
        () => world.rooms.triage,
        step("answer", flow.caseId),
      )(),
    () =>
      flow.expect(
        "acknowledged (reporter)",
        mario,
        inDm,
        (e) =>
          e.getContent()["org.dsx.case"] === flow.caseId &&
          String(e.getContent()["body"]).includes("has acknowledged"),
      )(),
  );
  return flow;
}

/** A harassment report from maria naming pablo: its room for the abuse team (ana). */
export function harassmentWorkflow(world: DsxWorld, cast: Cast): Workflow {
  const { ana, maria, pablo } = cast;
  const flow = new Workflow(world);
  let dm = "";
  const inDm = () => dm;
  openDirectRoom(flow, world, maria, (roomId) => (dm = roomId));
  let reportRoom = "";
  const answers: readonly (readonly [string, string])[] = [
    ["what", "insulting messages after a talk"],
    ["who", pablo.userId],
    ["where-when", "the community alerts room, last Tuesday"],
    ["evidence", "skip"],
    ["anonymous", "no"],
    ["confirm", "yes"],
  ];
  intake(flow, maria, inDm, "report harassment", answers);
  flow.do(
    "abuse team joins",
    async () => {
      reportRoom = await ana.waitForInvite(world.botUserId, (r) => r.name === flow.caseId, WAIT);
      flow.roomId = reportRoom;
      await ana.joinRoom(reportRoom);
    },
    () => flow.expect("report", ana, () => reportRoom, step("report", flow.caseId))(),
    () => flow.expect("with the team", maria, inDm, step("status", flow.caseId))(),
    () => {
      expectOneRoomNamed(ana, flow.caseId);
      return Promise.resolve();
    },
  );
  return flow;
}

/**
 * A community alert: sam drafts one in a ticket room opened beforehand, maria approves it, and
 * it is posted in the GREEN room (which ana reads).
 */
export function alertWorkflow(
  world: DsxWorld,
  cast: Cast,
  ticketRoom: string,
  title: string,
): Workflow {
  const { ana, maria, sam } = cast;
  const flow = new Workflow(world);
  const inTicket = () => ticketRoom;
  flow.say(
    "draft",
    sam,
    inTicket,
    () =>
      `!dsx alert GREEN ${title} | Fake webmail login pages | Small NGOs | Check the address bar`,
    flow.expect("approval request", maria, inTicket, step("approval-request"), (e) => {
      flow.caseId = String(e.getContent()["org.dsx.case"]);
    }),
  );
  flow.say(
    "approve",
    maria,
    inTicket,
    () => `!dsx approve ${flow.caseId}`,
    () => flow.expect("posted (ticket)", maria, inTicket, step("alert-posted", flow.caseId))(),
    () =>
      flow.expect(
        "alert (community room)",
        ana,
        () => world.rooms.communityAlerts,
        step("alert", flow.caseId),
      )(),
  );
  return flow;
}
