import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { pollUntil } from "../../support/poll.js";

const WAIT = 60_000;

/**
 * One account flooding the bot (issue 20, 6): fifteen harassment reports in a row opened thirteen
 * rooms, each inviting every handler. Now reports and messages are limited per person, the
 * person is told once when they can go on, the team once per burst, with counts only.
 */
describe("limits on reports and messages", function () {
  this.timeout(300_000);
  let world: DsxWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  const isStep = (name: string) => (_b: string, e: MatrixEvent) =>
    e.getContent()["org.dsx.step"] === name;
  const botMessages = (w: DsxWorld, person: E2eeTestClient, roomId: string, name: string) =>
    w.botMessages(person, roomId).filter((e) => e.getContent()["org.dsx.step"] === name);

  it("a third harassment report within the hour waits, its answers kept; the person and the abuse team are told once, also across a restart", async () => {
    const w = (world = await DsxWorld.create([
      "limits: { reports: { count: 2, within: PT1H }, messages: { perPerson: 100 } }",
    ]));
    await w.startBot();
    const ana = await w.dsxTeamMember();
    const maria = await w.person("maria");
    const lee = await w.person("lee");
    const [first, second] = [await w.directMessage(maria), await w.directMessage(maria)];
    const answers = (what: string) =>
      [
        ["what", what],
        ["who", "skip"],
        ["where-when", "the community alerts room, yesterday"],
        ["evidence", "skip"],
        ["anonymous", "no"],
      ] as const;
    const report = async (room: string, what: string) => {
      await maria.sendText(room, "report harassment");
      await w.answerPrompts(maria, room, [...answers(what), ["confirm", "yes"]]);
      await w.next(maria, room, isStep("received"));
    };

    await report(first, "Okapi-canary: insults, first");
    // A third report written in another room while the second is under way, up to its summary.
    await maria.sendText(second, "report harassment");
    await w.answerPrompts(maria, second, answers("Okapi-canary: insults, third"));
    await w.next(maria, second, (_b, e) => e.getContent()["org.dsx.prompt"] === "confirm");
    await report(first, "Okapi-canary: insults, second");
    // The limit's counts are rows: a restart does not end the burst.
    await w.stopBot();
    await w.startBot();

    await maria.sendText(second, "yes");
    const kept = await w.next(maria, second, isStep("limited"));
    expect(kept.getContent()["body"])
      .to.contain("Your report is kept but not sent yet")
      .and.to.contain("2 reports within an hour")
      .and.to.match(/again after (\d+ minutes|an hour)/);
    const heldBack = await ana.waitForMessage(
      w.rooms.abuseTeam,
      w.fromBot(isStep("held-back")),
      WAIT,
    );
    const notice = JSON.stringify(heldBack.getContent());
    expect(notice).to.contain("one person has made 2 new reports within an hour");
    expect(notice).to.not.contain(maria.userId).and.not.contain("Okapi");

    // Told once: a new report in the other room is not started, and not answered.
    await maria.sendText(first, "report harassment");
    await maria.sendText(first, "status");
    await w.next(maria, first, (b) => b.includes("open case"));
    expect(botMessages(w, maria, first, "limited")).to.deep.equal([]);
    expect(
      w.botMessages(maria, first).filter((e) => e.getContent()["org.dsx.prompt"] === "what"),
    ).to.have.length(2);
    // The held report is still at its summary, whole.
    await maria.sendText(second, "change what");
    await w.next(maria, second, (_b, e) => e.getContent()["org.dsx.prompt"] === "what");
    expect(botMessages(w, maria, second, "received")).to.deep.equal([]);
    expect(botMessages(w, maria, second, "limited")).to.have.length(1);
    expect(botMessages(w, ana, w.rooms.abuseTeam, "held-back")).to.have.length(1);
    // Two reports, two rooms made: the handlers were not invited to a third.
    await pollUntil(
      "Lee's invites",
      () =>
        Promise.resolve(lee.client.getRooms().filter((r) => r.name.startsWith("COC-")).length >= 2),
      WAIT,
    );
    expect(lee.client.getRooms().filter((r) => r.name.startsWith("COC-"))).to.have.length(2);
  });

  it("over the message limit the bot answers once with the wait, then reads nothing until the window has passed", async () => {
    const w = (world = await DsxWorld.create([
      "limits: { messages: { perPerson: 3, within: PT15S } }",
    ]));
    await w.startBot();
    const maria = await w.person("maria");
    const dm = await w.directMessage(maria);
    for (let i = 0; i < 6; i++) await maria.sendText(dm, "help");
    const limited = await w.next(maria, dm, isStep("limited"));
    expect(limited.getContent()["body"])
      .to.contain("more than 3 within 15 seconds")
      .and.to.match(/pausing for \d+ seconds/)
      .and.to.contain("please send it again");
    const helps = w
      .botMessages(maria, dm)
      .filter((e) => String(e.getContent()["body"]).includes("what you can ask me"));
    expect(helps).to.have.length(3);
    // After the window (counted from the first message taken, before its answer), one more.
    const firstAnswer = helps[0]?.getTs() ?? 0;
    await pollUntil(
      "the window has passed",
      () => Promise.resolve(Date.now() > firstAnswer + 15_000),
      WAIT,
    );
    await maria.sendText(dm, "status");
    await w.next(maria, dm, (b) => b.includes("no open cases"));
    // Messages four to six were handled before it, in order: one answer among them.
    expect(botMessages(w, maria, dm, "limited")).to.have.length(1);
    expect(
      w
        .botMessages(maria, dm)
        .filter((e) => String(e.getContent()["body"]).includes("what you can ask me")),
    ).to.have.length(3);
  });

  it("a shared room over its command limit is answered once, whoever writes; the same people are answered elsewhere", async () => {
    const w = (world = await DsxWorld.create([
      "limits: { messages: { perPerson: 100, perRoom: 3, within: PT20S } }",
    ]));
    await w.startBot();
    const ana = await w.dsxTeamMember();
    const [maria, pablo] = [await w.person("maria"), await w.person("pablo")];
    const donors = w.rooms.donors;
    await w.addToRoom(ana, donors, [maria, pablo]);
    const helpsIn = (person: E2eeTestClient) =>
      w
        .botMessages(person, donors)
        .filter((e) => String(e.getContent()["body"]).includes("what you can ask me"));
    for (const person of [maria, pablo, maria, pablo, pablo])
      await person.sendText(donors, "!dsx help");
    const limited = await w.next(pablo, donors, isStep("limited"));
    expect(limited.getContent()["body"]).to.contain("This room has sent me many commands");
    expect(helpsIn(pablo)).to.have.length(3);
    // Maria's own limit is untouched: her direct room is answered.
    const dm = await w.directMessage(maria);
    await maria.sendText(dm, "status");
    await w.next(maria, dm, (b) => b.includes("no open cases"));
    const firstAnswer = helpsIn(pablo)[0]?.getTs() ?? 0;
    await pollUntil(
      "the window has passed",
      () => Promise.resolve(Date.now() > firstAnswer + 20_000),
      WAIT,
    );
    await maria.sendText(donors, "!dsx help");
    await pollUntil(
      "the help after the window",
      () => Promise.resolve(helpsIn(pablo).length === 4),
      WAIT,
    );
    expect(botMessages(w, pablo, donors, "limited")).to.have.length(1);
  });
});
