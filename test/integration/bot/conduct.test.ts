import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

const WAIT = 60_000;

/**
 * The Code of Conduct's reporting path as a reporter, the abuse team (ana of DSX, lee) and the
 * people reported live it: recusal, anonymity, warnings and expulsions, restarts.
 */
describe("harassment reports: the abuse team, recusal, sanctions", function () {
  this.timeout(300_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;

  beforeEach(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    ana = await world.dsxTeamMember();
  });
  afterEach(async () => {
    await world.stop();
  });

  const fromBot = (predicate: (body: string, event: MatrixEvent) => boolean) =>
    world.fromBot(predicate);
  const step = (name: string) => fromBot((_b, e) => e.getContent()["org.dsx.step"] === name);

  /** A report answered step by step (optionally killing the bot on the way); the case id. */
  async function report(
    reporter: E2eeTestClient,
    room: string,
    answers: { what: string; who: string; anonymous: string },
    restartAt?: string,
  ): Promise<string> {
    await reporter.sendText(room, "report harassment");
    for (const [prompt, text] of [
      ["what", answers.what],
      ["who", answers.who],
      ["where-when", "the community alerts room, last Tuesday"],
      ["evidence", "skip"],
      ["anonymous", answers.anonymous],
      ["confirm", "yes"],
    ] as const) {
      await reporter.waitForMessage(
        room,
        fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === prompt),
        WAIT,
      );
      if (prompt === restartAt) {
        await world.stopBot("SIGKILL");
        await reporter.sendText(room, text);
        await world.startBot();
      } else await reporter.sendText(room, text);
    }
    // The newest report's: an earlier one's "received" is in the room too.
    const received = await world.next(
      reporter,
      room,
      (_b, e) => e.getContent()["org.dsx.step"] === "received",
      WAIT,
    );
    return String(received.getContent()["org.dsx.case"]);
  }

  /** Every message a person's client could read that mentions `text`, in any room. */
  const readableMessagesAbout = (person: E2eeTestClient, text: string) =>
    person.client
      .getRooms()
      .flatMap((room) => room.getLiveTimeline().getEvents())
      .filter(
        (e) => e.getType() === "m.room.message" && JSON.stringify(e.getContent()).includes(text),
      );

  it("a report naming an abuse team member goes to the others only; the named member learns nothing", async function () {
    needsTestHomeserver(
      this,
      "forces a join as a compromised server would; reads the homeserver's rooms directly",
    );
    const lee = await world.person("lee");
    const leeDm = await world.directMessage(lee);
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    const caseId = await report(
      maria,
      mariaDm,
      { what: "Puffin-canary: insulting messages", who: lee.userId, anonymous: "no" },
      "anonymous",
    );
    const roomId = await ana.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await ana.joinRoom(roomId);
    const posted = await ana.waitForMessage(roomId, step("report"), WAIT);
    expect(posted.getContent()["org.dsx.tlp"]).to.equal("RED");
    expect(posted.getContent()["body"]).to.contain("Puffin-canary").and.to.contain(maria.userId);
    await maria.waitForMessage(mariaDm, step("status"), WAIT);
    expect(world.testHomeserver.room(roomId)?.membership(lee.userId)).to.equal(undefined);

    // Lee is forced in by a server: the guard removes him before he sees anything.
    world.testHomeserver.forceJoin(roomId, lee.userId);
    await ana.waitForMemberState(roomId, lee.userId, "leave", WAIT);
    await ana.sendText(roomId, "!dsx note spoke with the event organisers");
    await ana.waitForMessage(roomId, step("note"), WAIT);
    await lee.sendText(leeDm, "status");
    await lee.waitForMessage(
      leeDm,
      fromBot((b) => b.includes("no open cases")),
      WAIT,
    );
    expect(readableMessagesAbout(lee, caseId)).to.deep.equal([]);
    expect(readableMessagesAbout(lee, "Puffin-canary")).to.deep.equal([]);
  });

  it("a report naming @Ana for @ana recuses Ana, tells the team why, and counts with her other reports, by distinct reporters", async () => {
    // Before, the capital letter made another person: Ana was invited and read the report
    // about herself, with the reporter's ID, and the repeat counter missed it. And the counter
    // counted reports: one account's made-up reports showed as "2 earlier reports".
    const lee = await world.person("lee");
    const maria = await world.person("maria");
    const pablo = await world.person("pablo");
    const mariaDm = await world.directMessage(maria);
    const pabloDm = await world.directMessage(pablo);
    const respelt = ana.userId.replace("@ana", "@Ana");
    const reports: string[] = [];
    for (const [reporter, room, what, who, others] of [
      [maria, mariaDm, "Ibis-canary: mocking messages", respelt, 0],
      [pablo, pabloDm, "Ibis-canary again: the same", ana.userId, 1],
      [maria, mariaDm, "Ibis-canary a third time", ana.userId, 1],
    ] as const) {
      const caseId = await report(reporter, room, { what, who, anonymous: "no" });
      reports.push(caseId);
      const roomId = await lee.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
      await lee.joinRoom(roomId);
      const posted = await lee.waitForMessage(roomId, step("report"), WAIT);
      const body = String(posted.getContent()["body"]);
      if (who === respelt)
        expect(body).to.contain(`written ${respelt}; I took it to mean ${ana.userId}`);
      if (others === 0) expect(body).to.not.contain("earlier report");
      else
        expect(body).to.contain(
          `${others} other reporter(s) made earlier reports about the same person`,
        );
      expect(await world.membership(roomId, ana.userId)).to.equal(undefined);
    }
    expect(readableMessagesAbout(ana, "Ibis-canary")).to.deep.equal([]);
    expect(reports).to.have.length(3);
  });

  it("a person named with a bidi override or a zero-width space is not taken as a user ID, and not echoed", async () => {
    // Before, `@ana\u202e:…` passed as a user ID and was echoed in the summary and to the abuse
    // team, where Element showed the text after it reversed.
    const maria = await world.person("maria");
    const dm = await world.directMessage(maria);
    await maria.sendText(dm, "report harassment");
    await world.answerPrompts(maria, dm, [["what", "Koel-canary: threats"]]);
    await world.next(maria, dm, (_b, e) => e.getContent()["org.dsx.prompt"] === "who");
    for (const hidden of ["\u202e", "\u200b"]) {
      await maria.sendText(dm, ana.userId.replace(":", `${hidden}:`));
      const asked = await world.next(
        maria,
        dm,
        (_b, e) => e.getContent()["org.dsx.prompt"] === "who",
      );
      expect(asked.getContent()["body"]).to.contain("no spaces, accents or invisible characters");
      expect(JSON.stringify(asked.getContent())).to.not.contain(hidden);
    }
    expect(
      world.botMessages(maria, dm).filter((e) => e.getContent()["org.dsx.prompt"] === "where-when"),
    ).to.deep.equal([]);
  });

  it("a report that leaves nobody of the abuse team goes to the advisory committee, and the reporter is told", async () => {
    // Lee (abuse team) reports Ana (abuse team, DSX): both are recused, nobody of the team is
    // left. Before, the log said "nobody can handle a conduct report" and Lee waited for ever.
    const lee = await world.person("lee");
    const leeDm = await world.directMessage(lee);
    const [kim, jo] = [await world.person("kim"), await world.person("jo")];
    const caseId = await report(lee, leeDm, {
      what: "Heron-canary: threats in a private message",
      who: ana.userId,
      anonymous: "no",
    });
    const told = await lee.waitForMessage(leeDm, step("status"), WAIT);
    expect(told.getContent()["body"]).to.contain(caseId).and.to.contain("advisory committee");
    expect(told.getContent()["body"]).to.not.contain(ana.userId);
    const roomId = await kim.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await jo.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await kim.joinRoom(roomId);
    const posted = await kim.waitForMessage(roomId, step("report"), WAIT);
    expect(posted.getContent()["body"])
      .to.contain("Heron-canary")
      .and.to.contain("advisory committee");
    await kim.sendText(roomId, "!dsx close no-action handled in person");
    const outcome = await lee.waitForMessage(
      leeDm,
      fromBot((b) => b.includes("closed your report")),
      WAIT,
    );
    expect(outcome.getContent()["body"]).to.contain("(no-action)");
    expect(readableMessagesAbout(ana, "Heron-canary")).to.deep.equal([]);
    expect(await world.membership(roomId, ana.userId)).to.equal(undefined);
  });

  it("an anonymous report: nowhere the reporter's ID, and they still receive the outcome", async () => {
    // Olga is not in the directory: a stranger to the bot, but she shares a DSX room with it.
    const olga = await world.person("olga");
    await ana.invite(world.rooms.communityAlerts, olga.userId);
    await olga.waitForMembership(world.rooms.communityAlerts, "invite", WAIT);
    await olga.joinRoom(world.rooms.communityAlerts);
    await ana.waitForMemberState(world.rooms.communityAlerts, olga.userId, "join", WAIT);
    const olgaDm = await world.directMessage(olga);
    const lee = await world.person("lee");
    const caseId = await report(olga, olgaDm, {
      what: "Quail-canary: unwanted private messages",
      who: "skip",
      anonymous: "yes",
    });
    const roomId = await lee.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await lee.joinRoom(roomId);
    const posted = await lee.waitForMessage(roomId, step("report"), WAIT);
    expect(posted.getContent()["body"]).to.contain("Quail-canary").and.to.contain("anonymous");
    await lee.sendText(roomId, "!dsx close no-action not enough to act on");
    const outcome = await olga.waitForMessage(
      olgaDm,
      fromBot((b) => b.includes("closed your report")),
      WAIT,
    );
    expect(outcome.getContent()["body"]).to.contain("(no-action)");
    await lee.waitForMemberState(roomId, world.botUserId, "leave", WAIT);

    const roomText = (lee.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
      .map((e) => JSON.stringify(e.getContent()))
      .join("\n");
    expect(roomText).to.contain("Quail-canary");
    expect(roomText).to.not.contain(olga.userId);
    const bot = world.bot;
    await world.stopBot("SIGTERM");
    expect(bot?.stdout ?? "").to.not.contain(olga.userId);
    const bytes = await world.storedBytes();
    expect(bytes.includes(Buffer.from(olga.userId)), "the reporter in the database").to.equal(
      false,
    );
    expect(bytes.includes(Buffer.from("Quail-canary"))).to.equal(false);
  });

  it("!dsx expel bans from every moderated room, twice harmlessly, and only from a report room", async () => {
    // The DSX team gives the bot the power to moderate the configured rooms.
    for (const roomId of Object.values(world.rooms))
      await ana.client.setPowerLevel(roomId, world.botUserId, 100);
    const pablo = await world.person("pablo");
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    const caseId = await report(maria, mariaDm, {
      what: "Robin-canary: threats after the meeting",
      who: pablo.userId,
      anonymous: "no",
    });
    const roomId = await ana.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await ana.joinRoom(roomId);
    await ana.waitForMessage(roomId, step("report"), WAIT);

    await ana.sendText(world.rooms.triage, `!dsx expel ${pablo.userId} threats`);
    await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b) => b.includes("I don't know the command")),
      WAIT,
    );
    await ana.sendText(
      roomId,
      `!dsx warn ${pablo.userId} Please stop contacting members privately.`,
    );
    const pabloDm = await pablo.waitForInvite(world.botUserId, () => true, WAIT);
    await pablo.joinRoom(pabloDm);
    const warning = await pablo.waitForMessage(pabloDm, step("warning"), WAIT);
    expect(warning.getContent()["body"])
      .to.contain("Please stop contacting")
      .and.to.not.contain(maria.userId);

    await ana.sendText(roomId, `!dsx expel ${pablo.userId} repeated threats`);
    const first = await ana.waitForMessage(roomId, step("expelled"), WAIT);
    expect(first.getContent()["body"]).to.contain("0 room(s) could not be reached");
    for (const configured of Object.values(world.rooms))
      expect(await world.membership(configured, pablo.userId), configured).to.equal("ban");
    await world.stopBot("SIGKILL");
    await world.startBot();
    await ana.sendText(roomId, `!dsx expel ${pablo.userId} repeated threats`);
    await ana.waitForMessage(
      roomId,
      fromBot(
        (_b, e) => e.getContent()["org.dsx.step"] === "expelled" && e.getId() !== first.getId(),
      ),
      WAIT,
    );
    for (const configured of Object.values(world.rooms))
      expect(await world.membership(configured, pablo.userId)).to.equal("ban");
  });
});
