import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import { ArrivalTimes } from "../../support/clients/arrival-times.js";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";
import { needsSynapse } from "../../support/synapse/needs-synapse.js";

const WAIT = 60_000;

/**
 * The conversations with the people on a homeserver of their own, as most partners are: the bot
 * and the DSX team (ana, lee) on the exchange's Synapse, the partners (maria, mario), the affected
 * party (pablo) and the provider (sam) on a second Synapse that federates with it. Every room
 * they share with the bot spans both servers, and every key and device list crosses between them.
 */
describe("federation: partners and providers on another homeserver", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;
  /** Federation's delays seen in the conversations, printed at the end. */
  const seen: string[] = [];

  before(function () {
    needsSynapse(this, "the federated conversations need two Synapses (npm run test:synapse)");
  });
  beforeEach(async () => {
    const started = Date.now();
    world = await DsxWorld.createFederated();
    await world.startBot();
    ana = await world.dsxTeamMember();
    seen.push(`set-up (two Synapses, the rooms, the bot, ana): ${seconds(Date.now() - started)}`);
  });
  afterEach(async () => {
    await world.stop();
  });
  after(() => {
    if (seen.length > 0) process.stdout.write(`      ${seen.join("\n      ")}\n`);
  });

  /** A person on the second server, with the times their client has invites and messages. */
  async function remotePerson(localpart: string) {
    const person = await world.person(localpart);
    expect(person.userId).to.equal(`@${localpart}:${world.homeserverFor(localpart).serverName}`);
    expect(world.homeserverFor(localpart)).to.not.equal(world.homeserver);
    return { person, times: new ArrivalTimes(person.client) };
  }

  function noteInvite(what: string, times: ArrivalTimes, roomId: string): void {
    seen.push(`${what}: the invite arrived ${ms(times.inviteDelay(roomId))} after it was sent`);
  }
  function noteReadable(what: string, times: ArrivalTimes, event: MatrixEvent): void {
    seen.push(`${what}: readable ${ms(times.readableDelay(event))} after it was sent`);
  }
  function noteTook(what: string, since: number): void {
    seen.push(`${what}: the conversation took ${seconds(Date.now() - since)}`);
  }

  it("core: a partner says help in an encrypted direct message and is answered, also what she sent while the bot was stopped, and on a new device", async () => {
    const started = Date.now();
    const { person: maria, times } = await remotePerson("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "help");
    const help = await world.next(maria, room, (b) => b.includes("Here is what you can ask me"));
    expect(help.isEncrypted(), "the answer is end-to-end encrypted").to.equal(true);
    expect(help.getContent()["org.dsx.tlp"]).to.equal("WHITE");
    noteReadable("core: the bot's first answer", times, help);

    await world.stopBot("SIGTERM");
    await maria.sendText(room, "status");
    await world.startBot();
    await world.next(maria, room, (b) => b.includes("You have no open cases"));
    await maria.sendText(room, "language es");
    await world.next(maria, room, (b) => b.includes("te responderé en español"));

    // A new device of hers: its keys reach the bot's server by federation, apart from her message.
    const laptop = await world.anotherDevice("maria");
    const laptopTimes = new ArrivalTimes(laptop.client);
    await laptop.waitForMembership(room, "join", WAIT);
    await laptop.sendText(room, "status");
    const answer = await laptop.waitForMessage(
      room,
      world.fromBot((b) => b.includes("No tienes casos abiertos")),
      WAIT,
    );
    noteReadable("core: the answer to a new device", laptopTimes, answer);
    noteTook("core", started);
  });

  it("an incident: reported, offered to the provider, worked in the ticket room across a restart, closed and forgotten", async () => {
    const started = Date.now();
    const { person: maria, times: mariaTimes } = await remotePerson("maria");
    const { person: sam, times: samTimes } = await remotePerson("sam");
    const { caseId, roomId } = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "AMBER",
      description: "Marmot-canary: a fake login page for our webmail",
    });
    noteInvite("incident: the ticket room, to the partner", mariaTimes, roomId);
    noteInvite("incident: the ticket room, to the provider", samTimes, roomId);
    for (const [who, person, times] of [
      ["partner", maria, mariaTimes],
      ["provider", sam, samTimes],
    ] as const) {
      const summary = await person.waitForMessage(
        roomId,
        world.fromBot(step("summary", caseId)),
        WAIT,
      );
      expect(summary.getContent()["body"]).to.contain("Marmot-canary");
      noteReadable(`incident: the summary, to the ${who}`, times, summary);
    }

    await world.stopBot("SIGKILL");
    await maria.sendText(roomId, "The page is still up");
    await sam.waitForMessage(roomId, "The page is still up", WAIT);
    await world.startBot();
    await sam.sendText(roomId, "!dsx status in-progress");
    await world.botSaid(sam, roomId, (b) => b.includes(`${caseId} is now in progress`));

    await maria.sendText(roomId, "!dsx close resolved, the page was taken down");
    const note = await maria.waitForMessage(roomId, world.fromBot(step("closed", caseId)), WAIT);
    expect(note.getContent()["body"]).to.contain("(resolved)");
    await maria.waitForMemberState(roomId, world.botUserId, "leave", WAIT);
    await sam.waitForMemberState(roomId, world.botUserId, "leave", WAIT);
    const inTriage = await ana.waitForMessage(
      world.rooms.triage,
      world.fromBot(step("closed", caseId)),
      WAIT,
    );
    expect(inTriage.getContent()["body"])
      .to.contain(`${caseId} closed (resolved)`)
      .and.to.not.contain("taken down");
    await ana.sendText(world.rooms.triage, `!dsx ticket ${caseId}`);
    await world.botSaid(ana, world.rooms.triage, (b) => b.includes(`${caseId} is closed.`));
    noteTook("incident", started);

    await world.stopBot("SIGTERM");
    const bytes = await world.storedBytes();
    for (const secret of ["Marmot", maria.userId, sam.userId])
      expect(bytes.includes(Buffer.from(secret)), `${secret} in the database`).to.equal(false);
  });

  it("a harassment report: the abuse team on the exchange's server has it, warns the person named on the other, and the reporter hears the outcome", async () => {
    const started = Date.now();
    const lee = await world.person("lee");
    const { person: maria } = await remotePerson("maria");
    const { person: pablo, times: pabloTimes } = await remotePerson("pablo");
    const mariaDm = await world.directMessage(maria);
    await maria.sendText(mariaDm, "report harassment");
    await world.answerPrompts(maria, mariaDm, [
      ["what", "Lemur-canary: insulting messages after the meeting"],
      ["who", pablo.userId],
      ["where-when", "the community alerts room, last Tuesday"],
      ["evidence", "skip"],
      ["anonymous", "no"],
      ["confirm", "yes"],
    ]);
    const received = await world.next(maria, mariaDm, step("received"));
    const caseId = String(received.getContent()["org.dsx.case"]);

    const reportRoom = await lee.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await lee.joinRoom(reportRoom);
    const posted = await lee.waitForMessage(reportRoom, world.fromBot(step("report")), WAIT);
    expect(posted.getContent()["body"]).to.contain("Lemur-canary").and.to.contain(maria.userId);

    await lee.sendText(reportRoom, `!dsx warn ${pablo.userId} Please keep to the code of conduct.`);
    const pabloDm = await pablo.waitForInvite(world.botUserId, () => true, WAIT);
    noteInvite("harassment: the warning's direct room, to the person named", pabloTimes, pabloDm);
    await pablo.joinRoom(pabloDm);
    const warning = await pablo.waitForMessage(pabloDm, world.fromBot(step("warning")), WAIT);
    expect(warning.getContent()["body"])
      .to.contain("keep to the code of conduct")
      .and.to.not.contain(maria.userId);
    noteReadable("harassment: the warning", pabloTimes, warning);

    await lee.sendText(reportRoom, "!dsx close warning the person named was warned");
    const outcome = await world.next(maria, mariaDm, (b) => b.includes("closed your report"));
    expect(outcome.getContent()["body"]).to.contain("(warning)");
    noteTook("harassment", started);
  });

  it("a vulnerability: the affected party on the other server gets the notice at once, reads it and acknowledges it across a restart", async () => {
    const started = Date.now();
    const { person: mario } = await remotePerson("mario");
    const { person: pablo, times: pabloTimes } = await remotePerson("pablo");
    const marioDm = await world.directMessage(mario);
    const caseId = await world.reportVulnerability(mario, marioDm, {
      description: "Ocelot-canary: the admin panel needs no password",
    });
    const pabloDm = await pablo.waitForInvite(world.botUserId, () => true, WAIT);
    noteInvite(
      "vulnerability: the notice's direct room, to the affected party",
      pabloTimes,
      pabloDm,
    );
    await pablo.joinRoom(pabloDm);
    const notice = await pablo.waitForMessage(
      pabloDm,
      world.fromBot((_b, e) => e.getContent()["org.dsx.case"] === caseId),
      WAIT,
    );
    expect(notice.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    expect(notice.getContent()["body"]).to.contain("Ocelot-canary");
    noteReadable("vulnerability: the notice", pabloTimes, notice);
    const received = world.botMessages(mario, marioDm).find((e) => step("received", caseId)("", e));
    seen.push(
      `vulnerability: the notice was sent ${ms(
        received && notice.getTs() - received.getTs(),
      )} after the report was received`,
    );
    await pablo.client.sendReadReceipt(notice);
    await world.botSaid(ana, world.rooms.triage, (b) =>
      b.includes(`${caseId}: the affected organisation has read`),
    );

    await world.stopBot("SIGKILL");
    await pablo.sendText(pabloDm, `ack ${caseId}`);
    await world.startBot();
    await world.botSaid(ana, world.rooms.triage, (b) =>
      b.includes(`${caseId}: acknowledged by the affected organisation`),
    );
    await world.botSaid(mario, marioDm, (b) =>
      b.includes(`${caseId}: the affected organisation has acknowledged`),
    );
    noteTook("vulnerability", started);
  });
});

function ms(value: number | undefined): string {
  return value === undefined ? "(not seen)" : `${String(value)} ms`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
