import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { IsNull } from "typeorm";
import { MONTHLY_JOB } from "../../../src/cases/statistics/jobs.js";
import { ScheduledJob } from "../../../src/store/entities/index.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";

describe("incidents, as a partner and the DSX team see them", function () {
  this.timeout(180_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;

  beforeEach(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    // The DSX team member who created the configured rooms, on an Element-like device.
    ana = await world.dsxTeamMember();
  });
  afterEach(async () => {
    await world.stop();
  });

  /** Answers each question the bot asks (by its `org.dsx.prompt`), in order. */
  async function answerPrompts(
    person: E2eeTestClient,
    room: string,
    steps: readonly (readonly [string, string])[],
  ): Promise<void> {
    for (const [prompt, answer] of steps) {
      await person.waitForMessage(
        room,
        fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === prompt),
        30_000,
      );
      await person.sendText(room, answer);
    }
  }

  const fromBot = (predicate: (body: string, event: MatrixEvent) => boolean) =>
    world.fromBot(predicate);

  /** The case number of the report just confirmed, from the bot's "received" answer. */
  async function receivedCase(person: E2eeTestClient, room: string): Promise<string> {
    const received = await person.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.step"] === "received"),
      30_000,
    );
    return String(received.getContent()["org.dsx.case"]);
  }

  it("a partner reports an AMBER incident; triage, all DSX, sees its details; status lists it", async () => {
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "report incident");
    const steps: [string, string][] = [
      ["type", "2"],
      ["description", "A fake webmail login page was sent to our staff"],
      ["measures", "Blocked the sender"],
      ["files", "done"],
      ["urgency", "high"],
      ["tlp", "default"],
      ["consent", "yes"],
    ];
    await answerPrompts(maria, room, steps);
    const summary = await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "confirm"),
      30_000,
    );
    expect(summary.getContent()["body"]).to.contain("A fake webmail login page");
    expect(summary.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    await maria.sendText(room, "yes");
    const caseId = await receivedCase(maria, room);
    expect(caseId).to.match(/^INC-\d{4}-0001$/);

    const notice = await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b) => b.includes(`New incident ${caseId}`) || b.includes(caseId)),
      30_000,
    );
    expect(notice.getContent()["body"]).to.contain(
      "from Rights Collective: Phishing, urgency high, language en.",
    );
    const details = await ana.waitForMessage(
      world.rooms.triage,
      fromBot((_b, e) => e.getContent()["org.dsx.step"] === "summary"),
      30_000,
    );
    expect(details.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    expect(details.getContent()["body"]).to.contain("A fake webmail login page");

    await maria.sendText(room, "status");
    const status = await maria.waitForMessage(
      room,
      fromBot((b) => b.includes(caseId) && b.includes("waiting for a provider")),
      30_000,
    );
    expect(status.getContent()["org.dsx.case"]).to.equal(caseId);
  });

  it("a report of long answers in Cyrillic reaches the partner and triage whole, in numbered parts", async () => {
    // 8,000 characters an answer, two bytes each, shown as text and HTML: too large for one
    // event, which the homeserver refuses for good (413 M_TOO_LARGE). Before, the summary and
    // the triage details were lost and the partner could never confirm her report.
    const answer = (word: string) => `${word}: ${"фишинг ".repeat(1142)}`.slice(0, 8000).trim();
    const [description, measures] = [answer("описание"), answer("меры")];
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "report incident");
    await answerPrompts(maria, room, [
      ["type", "2"],
      ["description", description],
      ["measures", measures],
      ["files", "done"],
      ["urgency", "high"],
      ["tlp", "default"],
      ["consent", "yes"],
    ]);
    /** The parts before `last`, in order, and `last`: the whole text the bot said. */
    const whole = (person: E2eeTestClient, roomId: string, last: MatrixEvent): string => {
      const count = Number(/\/(\d+)$/.exec(String(last.getContent()["org.dsx.part"]))?.[1]);
      const events = world.botMessages(person, roomId);
      const parts = events.slice(events.indexOf(last) - count + 1, events.indexOf(last) + 1);
      expect(parts.map((e) => String(e.getContent()["org.dsx.part"]))).to.deep.equal(
        Array.from({ length: count }, (_, i) => `${i + 1}/${count}`),
      );
      const marker = /^\[TLP:\w+\] \(\d+\/\d+\) /;
      return parts.map((e) => String(e.getContent()["body"]).replace(marker, "")).join("");
    };
    const summary = await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "confirm"),
      30_000,
    );
    expect(summary.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    const told = whole(maria, room, summary);
    for (const text of [description, measures]) expect(told.replace(/\n/g, "")).to.contain(text);
    await maria.sendText(room, "yes");
    const caseId = await receivedCase(maria, room);
    const details = await ana.waitForMessage(
      world.rooms.triage,
      fromBot((_b, e) => e.getContent()["org.dsx.step"] === "summary"),
      30_000,
    );
    expect(details.getContent()["org.dsx.case"]).to.equal(caseId);
    const shown = whole(ana, world.rooms.triage, details).replace(/\n/g, "");
    for (const text of [description, measures]) expect(shown).to.contain(text);
  });

  it("a RED incident never shows its description in the triage room, also after a restart mid-intake", async () => {
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "report incident");
    await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "type"),
      30_000,
    );
    await maria.sendText(room, "1");
    await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "description"),
      30_000,
    );
    await world.stopBot("SIGKILL");
    await maria.sendText(room, "SECRET-RED-DETAIL our director's phone was taken");
    await world.startBot();
    await answerPrompts(maria, room, [
      ["measures", "none"],
      ["files", "done"],
      ["urgency", "critical"],
      ["tlp", "RED"],
      ["consent", "no"],
    ]);
    await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === "confirm"),
      30_000,
    );
    await maria.sendText(room, "yes");
    const caseId = await receivedCase(maria, room);
    const notice = await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b) => b.includes(caseId)),
      30_000,
    );
    expect(notice.getContent()["body"]).to.contain("not shown here");
    // A marker after the notice: everything the bot said about the case in triage has arrived.
    await ana.sendText(world.rooms.triage, "!dsx help");
    await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b) => b.includes("Here is what you can ask me")),
      30_000,
    );
    const triageText = (ana.client.getRoom(world.rooms.triage)?.getLiveTimeline().getEvents() ?? [])
      .map((e) => JSON.stringify(e.getContent()))
      .join("\n");
    expect(triageText).to.not.contain("SECRET-RED-DETAIL");
    const received = world
      .botMessages(maria, room)
      .find((e) => e.getContent()["org.dsx.step"] === "received");
    expect(received?.getContent()["org.dsx.tlp"]).to.equal("RED");
  });

  it("triage is the DSX team's: while a partner is in it, nothing labelled is sent there, not even GREEN", async () => {
    // Pablo, of another partner organisation, is in the triage room by mistake. Before, he read
    // the GREEN new-ticket notices of other organisations and `!dsx tickets`, RED ones included.
    const pablo = await world.person("pablo");
    await ana.invite(world.rooms.triage, pablo.userId);
    await pablo.waitForMembership(world.rooms.triage, "invite", 30_000);
    await pablo.joinRoom(world.rooms.triage);
    await ana.waitForMemberState(world.rooms.triage, pablo.userId, "join", 30_000);
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "report incident");
    await answerPrompts(maria, room, [
      ["type", "1"],
      ["description", "Capybara-canary: the treasurer's account was taken over"],
      ["measures", "nothing"],
      ["files", "done"],
      ["urgency", "low"],
      ["tlp", "AMBER"],
      ["consent", "yes"],
      ["confirm", "yes"],
    ]);
    const caseId = await receivedCase(maria, room);
    const refusals = () =>
      world
        .botMessages(ana, world.rooms.triage)
        .filter((e) => e.getContent()["org.dsx.step"] === "refused")
        .map((e) => String(e.getContent()["body"]));
    await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b, e) => e.getContent()["org.dsx.step"] === "refused" && b.includes("TLP:AMBER")),
      30_000,
    );
    expect(
      refusals().some((b) => b.includes("TLP:GREEN")),
      "the GREEN notice too",
    ).to.equal(true);
    await ana.sendText(world.rooms.triage, "!dsx tickets");
    await ana.waitForMessage(
      world.rooms.triage,
      fromBot((b, e) => e.getContent()["org.dsx.step"] === "refused" && refusals().length >= 3),
      30_000,
    );
    for (const person of [ana, pablo]) {
      const said = (person.client.getRoom(world.rooms.triage)?.getLiveTimeline().getEvents() ?? [])
        .map((e) => JSON.stringify(e.getContent()))
        .join("\n");
      expect(said).to.not.contain("Capybara");
      expect(said).to.not.contain("Rights Collective");
      expect(said).to.not.contain(`New incident ${caseId}`);
    }
  });

  it("only partners may report an incident", async () => {
    const sam = await world.person("sam");
    const room = await world.directMessage(sam);
    await sam.sendText(room, "report incident");
    const reply = await sam.waitForMessage(
      room,
      fromBot(() => true),
      30_000,
    );
    expect(reply.getContent()["body"]).to.contain("I don't know the command");
  });

  it("triage lists, shows and closes a ticket; afterwards nothing of it remains but number and type", async () => {
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    await maria.sendText(room, "report incident");
    const description = "Zanzibar-canary malware found on the treasurer laptop";
    const measures = "Quokka-canary laptop unplugged";
    await answerPrompts(maria, room, [
      ["type", "3"],
      ["description", description],
      ["measures", measures],
      ["files", "done"],
      ["urgency", "medium"],
      ["tlp", "AMBER"],
      ["consent", "yes"],
      ["confirm", "yes"],
    ]);
    const caseId = await receivedCase(maria, room);
    const triage = world.rooms.triage;
    const ask = async (command: string, expected: (body: string) => boolean) => {
      await ana.sendText(triage, command);
      return ana.waitForMessage(
        triage,
        fromBot((b, e) => expected(b) && e.getTs() >= Date.now() - 20_000),
        30_000,
      );
    };
    expect(
      (await ask("!dsx tickets", (b) => b.includes(`${caseId} Malware`))).getContent()["body"],
    ).to.contain("waiting for a provider");
    expect(
      (
        await ask(`!dsx ticket ${caseId.toLowerCase()}`, (b) => b.includes("Zanzibar"))
      ).getContent()["org.dsx.tlp"],
    ).to.equal("AMBER");
    const match = await ask(`!dsx match ${caseId}`, (b) => b.includes(`Providers for ${caseId}`));
    expect(match.getContent()["body"]).to.contain(
      "1. securelab: handles malware, speaks en, 0 of 3 cases open",
    );
    await ask("!dsx ticket INC-1999-0001", (b) =>
      b.includes("There is no open ticket INC-1999-0001"),
    );
    await ask(`!dsx close ${caseId}`, (b) => b.includes("Please say why"));
    await ask(`!dsx close ${caseId} resolved after cleaning the Zanzibar laptop`, (b) =>
      b.includes(`${caseId} closed (resolved)`),
    );
    const closed = await maria.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.step"] === "closed"),
      30_000,
    );
    expect(closed.getContent()["body"]).to.contain("details have been deleted");
    await ask(`!dsx ticket ${caseId}`, (b) => b.includes(`${caseId} is closed.`));
    // Donors see counts only: one incident this month is "fewer than 3", and its type is not
    // listed (with a total below the minimum, a breakdown could add up to it).
    await ana.sendText(world.rooms.donors, "!dsx stats");
    const stats = await ana.waitForMessage(
      world.rooms.donors,
      fromBot((b) => b.includes("Statistics for")),
      30_000,
    );
    expect(stats.getContent()["body"]).to.contain("Incidents opened: fewer than 3 (hidden)");
    expect(stats.getContent()["body"]).to.not.contain("Malware");
    expect(stats.getContent()["body"]).to.not.contain(caseId).and.to.not.contain("@");
    // Someone outside the DSX team cannot use triage commands.
    await maria.sendText(room, "status");
    await maria.waitForMessage(
      room,
      fromBot((b) => b.includes("You have no open cases")),
      30_000,
    );

    await world.stopBot("SIGTERM");
    const bytes = await world.storedBytes();
    for (const secret of ["Zanzibar", "Quokka", world.user("maria")]) {
      expect(bytes.includes(Buffer.from(secret)), `${secret} in the database files`).to.equal(
        false,
      );
    }
    expect(bytes.includes(Buffer.from(caseId)), "the number stays").to.equal(true);

    // The monthly post came due while the bot was down: it is made at start, once, and the
    // next month's is scheduled.
    const month = new Date().toISOString().slice(0, 7);
    await world.database(async (manager) => {
      const pending = await manager.findBy(ScheduledJob, {
        kind: MONTHLY_JOB,
        firedAt: IsNull(),
      });
      expect(pending.map((job) => JSON.parse(job.payload) as unknown)).to.deep.equal([{ month }]);
      await manager.update(ScheduledJob, { kind: MONTHLY_JOB }, { dueAt: Date.now() - 1000 });
    });
    await world.startBot();
    const monthly = await ana.waitForMessage(
      world.rooms.donors,
      fromBot((b) => b.includes("Monthly statistics")),
      30_000,
    );
    expect(monthly.getContent()["body"]).to.contain(`Statistics for ${month}`);
    expect(monthly.getContent()["body"]).to.contain("Incidents opened: fewer than 3 (hidden)");
    await ana.sendText(triage, "!dsx stats-csv");
    const csv = await ana.waitForMessage(
      triage,
      fromBot((b) => b.includes("month,measure,category,value")),
      30_000,
    );
    expect(csv.getContent()["body"]).to.contain(`${month},incidents,,hidden`);
    expect(csv.getContent()["body"]).to.not.contain("malware");
    await world.stopBot("SIGTERM");
    await world.database(async (manager) => {
      const jobs = await manager.find(ScheduledJob, { where: { kind: MONTHLY_JOB } });
      expect(jobs.filter((job) => job.firedAt !== null)).to.have.length(1);
      const next = jobs.filter((job) => job.firedAt === null);
      expect(next.map((job) => new Date(job.dueAt).getUTCDate())).to.deep.equal([1]);
      expect(next[0]?.dueAt).to.be.greaterThan(Date.now());
    });
  });
});
