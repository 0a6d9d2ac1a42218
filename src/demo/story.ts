import type { MatrixEvent, Room } from "matrix-js-sdk";
// Types only: the demo entry (demo.ts) is the one module that loads test support at run time.
import type { DsxWorld } from "../../test/support/bot/dsx-world.js";
import type { E2eeTestClient } from "../../test/support/clients/index.js";
import type { Transcript } from "./transcript.js";

/** How long any one step may take before the demo gives up. */
const STEP_MS = 60_000;

/** The disclosure policy of the demo: three weeks in fifteen seconds. */
export const DEMO_DISCLOSURE = {
  respondWithin: "PT5S",
  escalateAfter: "PT10S",
  discloseAfter: "PT15S",
  remindBefore: "PT2S",
} as const;

/** The people of the story, with their role, for the credentials list. */
export const CAST = [
  ["ana", "DSX team (triage), created the configured rooms"],
  ["maria", "partner, rights-collective: reports the incident"],
  ["sam", "provider, securelab: takes the incident"],
  ["mario", "partner, rights-collective: reports the vulnerability"],
  ["pablo", "partner, press-freedom: the affected organisation"],
  ["kim", "advisory committee"],
  ["jo", "advisory committee"],
] as const;

/** The scripted people of the demo, talking to the bot with their own encrypted devices. */
class Scene {
  constructor(
    readonly world: DsxWorld,
    readonly transcript: Transcript,
  ) {}

  async person(localpart: string): Promise<E2eeTestClient> {
    const person =
      localpart === "ana" ? await this.world.dsxTeamMember() : await this.world.person(localpart);
    this.transcript.follow(person.client);
    return person;
  }

  async say(person: E2eeTestClient, roomId: string, text: string): Promise<void> {
    const eventId = await person.sendText(roomId, text);
    this.transcript.said(person.client.getRoom(roomId), person.userId, eventId, text);
  }

  /** The next message of the bot in a room that `test` accepts (none said before this call). */
  botSays(
    person: E2eeTestClient,
    roomId: string,
    test: (content: Record<string, unknown>) => boolean,
  ): Promise<MatrixEvent> {
    const before = new Set(
      (person.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).map((e) => e.getId()),
    );
    return awaitedLater(
      person.waitForEvent(
        roomId,
        (event) =>
          !before.has(event.getId()) &&
          event.getSender() === this.world.botUserId &&
          event.getType() === "m.room.message" &&
          test(event.getContent()),
        STEP_MS,
      ),
    );
  }

  /** The bot's message of a workflow step (`org.dsx.step`), of a case if given, said or coming. */
  step(person: E2eeTestClient, roomId: string, step: string, caseId?: string) {
    return awaitedLater(
      person.waitForMessage(
        roomId,
        this.world.fromBot(
          (_body, event) =>
            event.getContent()["org.dsx.step"] === step &&
            (caseId === undefined || event.getContent()["org.dsx.case"] === caseId),
        ),
        STEP_MS,
      ),
    );
  }

  /** Answers the bot's guided questions (`org.dsx.prompt`) in order. */
  async answer(
    person: E2eeTestClient,
    roomId: string,
    first: string,
    answers: readonly (readonly [string, string])[],
  ): Promise<void> {
    let asked = this.botSays(person, roomId, (c) => c["org.dsx.prompt"] === answers[0]?.[0]);
    await this.say(person, roomId, first);
    for (const [index, [, text]] of answers.entries()) {
      await asked;
      const next = answers[index + 1]?.[0];
      if (next !== undefined)
        asked = this.botSays(person, roomId, (c) => c["org.dsx.prompt"] === next);
      await this.say(person, roomId, text);
    }
  }

  /** Joins the room the bot invites `person` to (the first that `which` accepts). */
  async acceptInvite(person: E2eeTestClient, which: (room: Room) => boolean): Promise<string> {
    const roomId = await person.waitForInvite(this.world.botUserId, which, STEP_MS);
    await person.joinRoom(roomId);
    return roomId;
  }
}

/**
 * A wait the script starts before the action it waits for and awaits after it. Should the action
 * fail first, the demo ends on that error; the wait's own later timeout is then nobody's concern
 * and must not end the process as an unhandled rejection before the demo has cleaned up.
 */
function awaitedLater<T>(wait: Promise<T>): Promise<T> {
  wait.catch(() => undefined);
  return wait;
}

/** The whole story: an incident from report to closing, then a vulnerability's disclosure. */
export async function playStory(world: DsxWorld, transcript: Transcript): Promise<void> {
  const scene = new Scene(world, transcript);
  const ana = await scene.person("ana");
  await playIncident(scene, ana);
  await playVulnerability(scene, ana);
}

async function playIncident(scene: Scene, ana: E2eeTestClient): Promise<void> {
  const { world, transcript } = scene;
  const triage = world.rooms.triage;
  transcript.section("An incident: maria (partner) reports phishing; sam (provider) takes it");
  const maria = await scene.person("maria");
  const sam = await scene.person("sam");
  const mariaDm = await world.directMessage(maria);
  const received = scene.step(maria, mariaDm, "received");
  await scene.answer(maria, mariaDm, "report incident", [
    ["type", "2"],
    ["description", "A fake webmail login page was sent to all our staff"],
    ["measures", "We blocked the sender; two people had typed their password, we changed it"],
    ["files", "done"],
    ["urgency", "high"],
    ["tlp", "AMBER"],
    ["consent", "yes"],
    ["confirm", "yes"],
  ]);
  const caseId = String((await received).getContent()["org.dsx.case"]);

  await scene.step(ana, triage, "summary", caseId);
  const ranked = scene.botSays(ana, triage, (c) => String(c["body"]).includes("Providers for"));
  await scene.say(ana, triage, `!dsx match ${caseId}`);
  await ranked;
  const offered = scene.botSays(ana, triage, (c) => String(c["body"]).includes("offered to"));
  await scene.say(ana, triage, `!dsx assign ${caseId} securelab`);
  await offered;

  const samDm = await scene.acceptInvite(sam, (room) => !room.name.startsWith("INC-"));
  await scene.step(sam, samDm, "offer", caseId);
  const accepted = scene.step(sam, samDm, "accepted", caseId);
  await scene.say(sam, samDm, `accept ${caseId}`);
  await accepted;

  await scene.step(maria, mariaDm, "room", caseId);
  const ticket = await scene.acceptInvite(maria, (room) => room.name === caseId);
  await scene.acceptInvite(sam, (room) => room.name === caseId);
  for (const person of [maria, sam]) await scene.step(person, ticket, "summary", caseId);
  await scene.say(sam, ticket, "Hi Maria, Sam from SecureLab. Is the page still up?");
  await scene.say(maria, ticket, "Yes, at the same address.");
  const status = scene.step(sam, ticket, "status", caseId);
  await scene.say(sam, ticket, "!dsx status in-progress");
  await status;

  // A community alert from the case: the draft names the provider, which the scan flags; once
  // that is removed, maria approves and the community alert room gets it.
  const review = scene.step(sam, ticket, "review");
  await scene.say(
    sam,
    ticket,
    "!dsx alert GREEN Fake webmail login pages | SecureLab saw mails linking to a copy of a " +
      "webmail login page | Organisations using hosted webmail | Check the address bar before " +
      "typing a password",
  );
  const alertId = String((await review).getContent()["org.dsx.case"]);
  const request = scene.step(maria, ticket, "approval-request", alertId);
  await scene.say(sam, ticket, `!dsx alert ${alertId} remove 1`);
  await request;
  const posted = scene.step(ana, world.rooms.communityAlerts, "alert", alertId);
  await scene.say(maria, ticket, `!dsx approve ${alertId}`);
  await posted;

  const closed = scene.step(maria, ticket, "closed", caseId);
  const closedInTriage = scene.step(ana, triage, "closed", caseId);
  await scene.say(maria, ticket, "!dsx close resolved, the host took the page down");
  await closed;
  await closedInTriage;
  await maria.waitForMemberState(ticket, world.botUserId, "leave", STEP_MS);
  transcript.note(`the bot left ${caseId}'s room and forgot its details`);
}

async function playVulnerability(scene: Scene, ana: E2eeTestClient): Promise<void> {
  const { world, transcript } = scene;
  const triage = world.rooms.triage;
  const advisory = world.rooms.advisory;
  transcript.section(
    "A vulnerability: mario reports one in press-freedom's site; the disclosure schedule runs",
  );
  const mario = await scene.person("mario");
  const pablo = await scene.person("pablo");
  const kim = await scene.person("kim");
  const jo = await scene.person("jo");
  for (const member of [kim, jo]) {
    await ana.invite(advisory, member.userId);
    await member.waitForMembership(advisory, "invite", STEP_MS);
    await member.joinRoom(advisory);
  }
  const marioDm = await world.directMessage(mario);
  const received = scene.step(mario, marioDm, "received");
  await scene.answer(mario, marioDm, "report vulnerability", [
    ["affected", "press-freedom"],
    ["description", "The admin panel of press.example lets anyone in without a password"],
    ["severity", "high"],
    ["evidence", "curl -I https://press.example/admin answers 200 without a login"],
    ["credit", "Mario R."],
    ["share-contact", "yes"],
    ["confirm", "yes"],
  ]);
  const caseId = String((await received).getContent()["org.dsx.case"]);

  const pabloDm = await scene.acceptInvite(pablo, () => true);
  const notice = await scene.step(pablo, pabloDm, "notice", caseId);
  await pablo.client.sendReadReceipt(notice);
  transcript.note(
    `pablo read the notice and does not answer; the schedule: respond within ${DEMO_DISCLOSURE.respondWithin}, escalate after ${DEMO_DISCLOSURE.escalateAfter}, disclose after ${DEMO_DISCLOSURE.discloseAfter}, reminders ${DEMO_DISCLOSURE.remindBefore} before each`,
  );

  await scene.step(ana, triage, "escalation", caseId);
  const confirmed = scene.botSays(
    ana,
    triage,
    (c) => c["org.dsx.step"] === "escalation" && c["org.dsx.case"] === caseId,
  );
  await scene.say(ana, triage, `!dsx escalate ${caseId}`);
  await confirmed;
  // Nothing reaches the community before the DSX team approves the text shown at the report.
  await scene.step(ana, triage, "review", caseId);
  const approved = scene.botSays(
    ana,
    triage,
    (c) => c["org.dsx.step"] === "checked" && c["org.dsx.case"] === caseId,
  );
  await scene.say(ana, triage, `!dsx approve ${caseId}`);
  await approved;

  await scene.step(ana, world.rooms.communityAlerts, "disclosure", caseId);
  await scene.step(kim, advisory, "approval-request", caseId);
  const first = scene.botSays(kim, advisory, (c) => c["org.dsx.step"] === "vote");
  await scene.say(kim, advisory, `!dsx approve ${caseId}`);
  await first;
  const published = scene.step(ana, world.rooms.publicAlerts, "disclosure", caseId);
  await scene.say(jo, advisory, `!dsx approve ${caseId}`);
  await published;
  await mario.waitForMessage(
    marioDm,
    world.fromBot((body) => body.includes("disclosed publicly")),
    STEP_MS,
  );
}
