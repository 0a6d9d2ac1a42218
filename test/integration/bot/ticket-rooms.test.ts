import { expect } from "chai";
import { EventTimeline, type MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../../support/clients/index.js";
import {
  openEncryptedFile,
  uploadEncryptedFile,
  type EncryptedFileContent,
} from "../../support/clients/element-files.js";
import { DsxWorld, type WorldOptions } from "../../support/bot/dsx-world.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

const WAIT = 60_000;

/**
 * The path of an incident from the partner's report to its closing, as the partner (maria), the
 * provider (sam of securelab) and the DSX team (ana, in triage) live it, with the bot restarted
 * (killed) between the steps.
 */
describe("ticket rooms: offers, the encrypted room, closing", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;

  async function setUp(
    extraConfig: readonly string[] = [],
    options: WorldOptions = {},
  ): Promise<void> {
    world = await DsxWorld.create(extraConfig, options);
    await world.startBot();
    ana = await world.dsxTeamMember();
  }
  afterEach(async () => {
    await world.stop();
  });

  const fromBot = (predicate: (body: string, event: MatrixEvent) => boolean) =>
    world.fromBot(predicate);
  const step = (name: string, caseId?: string) =>
    fromBot(
      (_b, e) =>
        e.getContent()["org.dsx.step"] === name &&
        (caseId === undefined || e.getContent()["org.dsx.case"] === caseId),
    );
  const botSaid = (person: E2eeTestClient, room: string, test: (body: string) => boolean) =>
    world.botSaid(person, room, test);
  const botMessages = (person: E2eeTestClient, room: string) => world.botMessages(person, room);
  const restart = async () => {
    await world.stopBot("SIGKILL");
    await world.startBot();
  };

  async function answer(person: E2eeTestClient, room: string, prompt: string, text: string) {
    await person.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === prompt),
      WAIT,
    );
    await person.sendText(room, text);
  }

  /** A partner's report, answered step by step; resolves with the case id. */
  async function report(
    person: E2eeTestClient,
    room: string,
    answers: {
      type: string;
      description: string;
      measures: string;
      label: string;
      consent: string;
      file?: { bytes: Buffer; name: string };
    },
  ): Promise<string> {
    await person.sendText(room, "report incident");
    await answer(person, room, "type", answers.type);
    await answer(person, room, "description", answers.description);
    await answer(person, room, "measures", answers.measures);
    await person.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "files"),
      WAIT,
    );
    if (answers.file) {
      const content = await uploadEncryptedFile(
        person.client,
        answers.file.bytes,
        answers.file.name,
        "text/plain",
      );
      await person.sendEvent(room, "m.room.message", { ...content });
      // The bot says it kept the file (naming it), or why it could not.
      const said = await botSaid(
        person,
        room,
        (b) => b.includes(answers.file?.name ?? "") || b.includes("could not keep that file"),
      );
      expect(said.getContent()["body"], "the bot kept the file").to.contain(answers.file.name);
    }
    await person.sendText(room, "done");
    await answer(person, room, "urgency", "high");
    await answer(person, room, "tlp", answers.label);
    await answer(person, room, "consent", answers.consent);
    await answer(person, room, "confirm", "yes");
    const received = await person.waitForMessage(room, step("received"), WAIT);
    return String(received.getContent()["org.dsx.case"]);
  }

  /** The direct room the bot opened with a provider (or the existing one), joined. */
  async function providerRoom(provider: E2eeTestClient): Promise<string> {
    const invited = await provider.waitForInvite(
      world.botUserId,
      (r) => !r.name.startsWith("INC-"),
      WAIT,
    );
    await provider.joinRoom(invited);
    return invited;
  }

  /** The ticket room of a case, joined. */
  async function joinTicketRoom(person: E2eeTestClient, caseId: string): Promise<string> {
    const room = await person.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await person.joinRoom(room);
    return room;
  }

  it("the whole path with a file, restarted between every step, then nothing of it remains", async () => {
    await setUp();
    const maria = await world.person("maria");
    const sam = await world.person("sam");
    const fay = await world.person("fay");
    const pablo = await world.person("pablo");
    const mariaDm = await world.directMessage(maria);
    const fileBytes = Buffer.from(
      "Received: from mail.attacker.example\nX-Canary: Okapi-canary-4471\n",
    );
    const caseId = await report(maria, mariaDm, {
      type: "2",
      description: "Wombat-canary phishing page imitating our webmail",
      measures: "Narwhal-canary passwords changed",
      label: "AMBER",
      consent: "yes",
      file: { bytes: fileBytes, name: "headers-Okapi.txt" },
    });
    await restart();

    const triage = world.rooms.triage;
    await ana.sendText(triage, `!dsx assign ${caseId} securelab`);
    await botSaid(
      ana,
      triage,
      (b) => b.includes(`${caseId} offered to`) && b.includes("securelab"),
    );
    await restart();

    const samDm = await providerRoom(sam);
    const offer = await sam.waitForMessage(samDm, step("offer", caseId), WAIT);
    expect(offer.getContent()["org.dsx.tlp"]).to.equal("GREEN");
    expect(offer.getContent()["body"]).to.contain("Phishing").and.to.contain(`accept ${caseId}`);
    expect(JSON.stringify(offer.getContent())).to.not.contain("Wombat");

    // Wrong people: another provider, another partner, the reporter herself.
    const fayDm = await world.directMessage(fay);
    await fay.sendText(fayDm, `accept ${caseId}`);
    await botSaid(fay, fayDm, (b) => b.includes(`I know of no case ${caseId} for you.`));
    const pabloDm = await world.directMessage(pablo);
    await pablo.sendText(pabloDm, `accept ${caseId}`);
    await botSaid(pablo, pabloDm, (b) => b.includes("I don't know the command"));
    await pablo.sendText(pabloDm, "status");
    await botSaid(pablo, pabloDm, (b) => b.includes("You have no open cases"));

    await sam.sendText(samDm, "status");
    const offered = await sam.waitForMessage(
      samDm,
      fromBot((b) => b.includes(caseId) && b.includes("offered to a provider")),
      WAIT,
    );
    expect(offered.getContent()["org.dsx.tlp"]).to.equal("GREEN");
    await sam.sendText(samDm, `accept ${caseId}`);
    await sam.waitForMessage(samDm, step("accepted", caseId), WAIT);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} accepted by`));
    await restart();

    const told = await maria.waitForMessage(mariaDm, step("room", caseId), WAIT);
    expect(told.getContent()["body"]).to.contain("securelab");
    const ticketRoom = await joinTicketRoom(maria, caseId);
    await restart();
    const samTicketRoom = await joinTicketRoom(sam, caseId);
    expect(samTicketRoom).to.equal(ticketRoom);

    // The room is as the design says: encrypted, invite-only, history from joining, bot power.
    const room = maria.client.getRoom(ticketRoom);
    expect(room?.hasEncryptionStateEvent()).to.equal(true);
    expect(room?.getJoinRule()).to.equal("invite");
    expect(room?.getHistoryVisibility()).to.equal("joined");
    const power =
      room
        ?.getLiveTimeline()
        .getState(EventTimeline.FORWARDS)
        ?.getStateEvents("m.room.power_levels", "")
        ?.getContent() ?? {};
    expect(power["invite"]).to.equal(100);
    expect(power["kick"]).to.equal(100);
    expect(power["state_default"]).to.equal(100);
    expect((power["users"] as Record<string, number>)[maria.userId] ?? 0).to.equal(0);

    for (const person of [maria, sam]) {
      const summary = await person.waitForMessage(ticketRoom, step("summary", caseId), WAIT);
      expect(summary.getContent()["org.dsx.tlp"]).to.equal("AMBER");
      expect(summary.getContent()["body"]).to.contain("Wombat-canary phishing page");
      const file = await person.waitForEvent(
        ticketRoom,
        (e) => e.getSender() === world.botUserId && e.getContent()["org.dsx.step"] === "attachment",
        WAIT,
      );
      const bytes = await openEncryptedFile(person.client, file.getContent<EncryptedFileContent>());
      expect(bytes.equals(fileBytes), "the file opens byte for byte").to.equal(true);
    }

    await maria.sendText(ticketRoom, "The page is still up at the same address");
    await sam.waitForMessage(ticketRoom, "The page is still up at the same address", WAIT);
    await sam.sendText(ticketRoom, "!dsx status waiting");
    await botSaid(sam, ticketRoom, (b) => b.includes(`${caseId} is now waiting`));
    await restart();

    await maria.sendText(ticketRoom, "!dsx close resolved, the page was taken down");
    const note = await maria.waitForMessage(ticketRoom, step("closed", caseId), WAIT);
    expect(note.getContent()["body"]).to.contain("(resolved)");
    await maria.waitForMemberState(ticketRoom, world.botUserId, "leave", WAIT);
    const closedInTriage = await ana.waitForMessage(triage, step("closed", caseId), WAIT);
    expect(closedInTriage.getContent()["body"]).to.contain(`${caseId} closed (resolved)`);
    expect(closedInTriage.getContent()["body"]).to.not.contain("taken down");

    // A closed ticket's id answers "closed" and nothing more; it cannot be reopened. It keeps
    // no provider, so to a provider it is as unknown as a number never given.
    await ana.sendText(triage, `!dsx assign ${caseId} securelab`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} is closed.`));
    await sam.sendText(samDm, `accept ${caseId}`);
    await botSaid(sam, samDm, (b) => b.includes(`I know of no case ${caseId} for you.`));

    // Nothing was said twice across the restarts.
    const count = (person: E2eeTestClient, roomId: string, name: string) =>
      botMessages(person, roomId).filter((e) => e.getContent()["org.dsx.step"] === name).length;
    expect(count(sam, samDm, "offer")).to.equal(1);
    expect(count(maria, ticketRoom, "summary")).to.equal(1);
    expect(count(maria, ticketRoom, "attachment")).to.equal(1);
    expect(count(maria, mariaDm, "room")).to.equal(1);
    expect(
      botMessages(ana, triage).filter((e) =>
        String(e.getContent()["body"]).includes(`${caseId} accepted by`),
      ).length,
    ).to.equal(1);

    await world.stopBot("SIGTERM");
    const bytes = await world.storedBytes();
    for (const secret of ["Wombat", "Narwhal", "Okapi", maria.userId, sam.userId]) {
      expect(bytes.includes(Buffer.from(secret)), `${secret} in the database files`).to.equal(
        false,
      );
    }
    expect(bytes.includes(Buffer.from(caseId)), "the number stays").to.equal(true);
  });

  // The partner's file reaches the ticket room whichever media the homeserver serves: the bot
  // downloads it through authenticated media where the server advertises v1.11, through the
  // legacy path where it does not (Synapse 1.67 answers the newer paths `M_UNRECOGNIZED`).
  const mediaServers: { name: string; homeserver: WorldOptions["homeserver"] }[] = [
    { name: "v1.12, both media paths (the default)", homeserver: undefined },
    {
      name: "v1.10, no authenticated media (as Synapse 1.67)",
      homeserver: { newestSpecVersion: "v1.10" },
    },
    { name: "v1.12, legacy media frozen", homeserver: { legacyMedia: false } },
  ];
  for (const server of mediaServers) {
    it(`keeps a partner's encrypted file from a server of ${server.name}, and gives it to the ticket room`, async function () {
      if (server.homeserver !== undefined) {
        needsTestHomeserver(
          this,
          "the media a server serves is an option of the project's homeserver",
        );
      }
      await setUp([], server.homeserver === undefined ? {} : { homeserver: server.homeserver });
      const maria = await world.person("maria");
      const sam = await world.person("sam");
      const mariaDm = await world.directMessage(maria);
      const fileBytes = Buffer.from(
        "Received: from mail.attacker.example\nX-Canary: Quokka-4471\n",
      );
      const caseId = await report(maria, mariaDm, {
        type: "2",
        description: "Quokka phishing page imitating our webmail",
        measures: "passwords changed",
        label: "AMBER",
        consent: "yes",
        file: { bytes: fileBytes, name: "headers-Quokka.txt" },
      });

      await ana.sendText(world.rooms.triage, `!dsx assign ${caseId} securelab`);
      const samDm = await providerRoom(sam);
      await sam.waitForMessage(samDm, step("offer", caseId), WAIT);
      await sam.sendText(samDm, `accept ${caseId}`);
      const ticketRoom = await joinTicketRoom(maria, caseId);
      await joinTicketRoom(sam, caseId);
      const file = await sam.waitForEvent(
        ticketRoom,
        (e) => e.getSender() === world.botUserId && e.getContent()["org.dsx.step"] === "attachment",
        WAIT,
      );
      const bytes = await openEncryptedFile(sam.client, file.getContent<EncryptedFileContent>());
      expect(bytes.equals(fileBytes), "the file opens byte for byte").to.equal(true);
    });
  }

  it("automatic offers: a RED ticket goes to the best match, then the next on no answer and on decline", async () => {
    await setUp(["incidents: { automaticOffers: true, offerTimeout: PT4S }"]);
    const maria = await world.person("maria");
    const sam = await world.person("sam");
    const fay = await world.person("fay");
    const mariaDm = await world.directMessage(maria);
    const caseId = await report(maria, mariaDm, {
      type: "2",
      description: "Pangolin-canary: someone reads our director's mail",
      measures: "nothing yet",
      label: "RED",
      consent: "yes",
    });
    const triage = world.rooms.triage;
    await botSaid(
      ana,
      triage,
      (b) => b.includes(`${caseId} offered to`) && b.includes("securelab"),
    );
    const samDm = await providerRoom(sam);
    await sam.waitForMessage(samDm, step("offer", caseId), WAIT);
    // Sam does not answer; the bot is down when the offer lapses, and catches up on start.
    await world.stopBot("SIGKILL");
    await world.startBot();
    await botSaid(ana, triage, (b) => b.includes("did not answer") && b.includes(caseId));
    await botSaid(
      ana,
      triage,
      (b) => b.includes(`${caseId} offered to`) && b.includes("Fixers Co-op"),
    );
    // Sam's lapsed offer can no longer be accepted.
    await sam.sendText(samDm, `accept ${caseId}`);
    await botSaid(sam, samDm, (b) => b.includes(`${caseId} is not offered to you`));

    const fayDm = await providerRoom(fay);
    await fay.waitForMessage(fayDm, step("offer", caseId), WAIT);
    await fay.sendText(fayDm, `decline ${caseId} no capacity this month`);
    await fay.waitForMessage(fayDm, step("declined", caseId), WAIT);
    await botSaid(ana, triage, (b) => b.includes("Fixers Co-op") && b.includes("declined"));
    await botSaid(ana, triage, (b) => b.includes(`No provider is left to offer ${caseId}`));

    // Nothing of the RED description reached triage or the providers.
    await ana.sendText(triage, `!dsx ticket ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes("not shown here") && b.includes(caseId));
    for (const [person, roomId] of [
      [ana, triage],
      [sam, samDm],
      [fay, fayDm],
    ] as const) {
      const said = botMessages(person, roomId).map((e) => JSON.stringify(e.getContent()));
      expect(said.join("\n")).to.not.contain("Pangolin");
    }
  });

  it("assist: the provider cannot bring DSX in; the reporter can, and DSX then reads the report", async () => {
    await setUp();
    const maria = await world.person("maria");
    const sam = await world.person("sam");
    const mariaDm = await world.directMessage(maria);
    const caseId = await report(maria, mariaDm, {
      type: "3",
      description: "Tapir-canary malware on the laptop",
      measures: "unplugged",
      label: "RED",
      consent: "yes",
    });
    const triage = world.rooms.triage;
    await ana.sendText(triage, `!dsx assign ${caseId} ${world.user("sam")}`);
    const samDm = await providerRoom(sam);
    await sam.waitForMessage(samDm, step("offer", caseId), WAIT);
    await sam.sendText(samDm, `accept ${caseId}`);
    const ticketRoom = await joinTicketRoom(maria, caseId);
    await joinTicketRoom(sam, caseId);
    await sam.waitForMessage(ticketRoom, step("summary", caseId), WAIT);

    await sam.sendText(ticketRoom, "!dsx assist");
    await botSaid(sam, ticketRoom, (b) => b.includes("only if the reporter agrees"));
    await ana.sendText(triage, "!dsx help");
    await botSaid(ana, triage, (b) => b.includes("Here is what you can ask me"));
    expect(ana.client.getRoom(ticketRoom)?.getMyMembership()).to.not.equal("invite");

    await maria.sendText(ticketRoom, "!dsx assist");
    await botSaid(maria, ticketRoom, (b) => b.includes("invited the DSX team"));
    await botSaid(ana, triage, (b) => b.includes(`${caseId}: the reporter asks the DSX team`));
    const invited = await ana.waitForInvite(world.botUserId, (r) => r.roomId === ticketRoom, WAIT);
    await ana.joinRoom(invited);
    const summary = await ana.waitForMessage(ticketRoom, step("summary", caseId), WAIT);
    expect(summary.getContent()["body"]).to.contain("Tapir-canary");

    // The provider may close it too.
    await sam.sendText(ticketRoom, "!dsx close resolved");
    await maria.waitForMessage(ticketRoom, step("closed", caseId), WAIT);
  });
});
