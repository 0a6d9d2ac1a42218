import { expect } from "chai";
import type { MatrixEvent } from "matrix-js-sdk";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { botStep, DsxWorld } from "../../support/bot/dsx-world.js";

const WAIT = 60_000;

/** Disclosure policy in seconds, so that the three weeks pass in a test. */
function policy(respond: number, escalate: number, disclose: number, remind = 1): string {
  return [
    "policy:",
    "  undecryptable: { askToResendAfter: PT2S }",
    `  disclosure: { respondWithin: PT${respond}S, escalateAfter: PT${escalate}S, discloseAfter: PT${disclose}S, remindBefore: PT${remind}S, advisoryQuorum: 2 }`,
  ].join("\n");
}

/** Resolves once the wall clock has passed `at` (deadlines are wall-clock times). */
function clockPast(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() + 50)));
}

/**
 * The Vulnerability Disclosure Policy as the reporter (mario, of a partner), the affected
 * organisation (pablo, of press-freedom), the DSX team (ana, in triage) and the advisory
 * committee (kim, jo) live it, with the three weeks shortened to seconds.
 */
describe("vulnerabilities: the disclosure schedule", function () {
  this.timeout(300_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;

  async function setUp(config: string): Promise<void> {
    world = await DsxWorld.create([config]);
    await world.startBot();
    ana = await world.dsxTeamMember();
  }
  afterEach(async () => {
    await world.stop();
  });

  const fromBot = (predicate: (body: string, event: MatrixEvent) => boolean) =>
    world.fromBot(predicate);
  const botSaid = (person: E2eeTestClient, room: string, test: (body: string) => boolean) =>
    world.botSaid(person, room, test);
  const botBodies = (person: E2eeTestClient, room: string) =>
    world
      .botMessages(person, room)
      .map((e) => ({ body: String(e.getContent()["body"]), ts: e.getTs(), event: e }));

  /** Bot messages an earlier report already used: a later report's waits skip them. */
  const used = new Set<string>();
  const fresh = (event: MatrixEvent) => {
    const id = event.getId() ?? "";
    if (used.has(id)) return false;
    used.add(id);
    return true;
  };

  /** A report, answered step by step; resolves with the case id. */
  async function report(
    reporter: E2eeTestClient,
    room: string,
    answers: { description: string; credit: string; share: string },
  ): Promise<string> {
    await reporter.sendText(room, "report vulnerability");
    for (const [prompt, text] of [
      ["affected", "press-freedom"],
      ["description", answers.description],
      ["severity", "high"],
      ["evidence", "curl -I https://press.example/admin"],
      ["credit", answers.credit],
      ["share-contact", answers.share],
      ["confirm", "yes"],
    ] as const) {
      await reporter.waitForMessage(
        room,
        fromBot((_b, e) => e.getContent()["org.dsx.prompt"] === prompt && fresh(e)),
        WAIT,
      );
      await reporter.sendText(room, text);
    }
    const received = await reporter.waitForMessage(
      room,
      fromBot((_b, e) => e.getContent()["org.dsx.step"] === "received" && fresh(e)),
      WAIT,
    );
    return String(received.getContent()["org.dsx.case"]);
  }

  /**
   * The affected party's notice, in the direct room the bot opened with them: the notice itself,
   * readable (on Synapse it was once sent before the bot knew Pablo's devices, and only the
   * first reminder could be read).
   */
  async function notice(pablo: E2eeTestClient, caseId: string) {
    const room = await pablo.waitForInvite(world.botUserId, () => true, WAIT);
    await pablo.joinRoom(room);
    const event = await pablo.waitForMessage(room, fromBot(botStep("notice", caseId)), WAIT);
    return { room, event };
  }

  it("without an answer: step 1, reminders, step 2, step 3 in order, each once; public only with the quorum", async () => {
    await setUp(policy(3, 6, 9));
    const mario = await world.person("mario");
    const pablo = await world.person("pablo");
    const kim = await world.person("kim");
    const jo = await world.person("jo");
    for (const member of [kim, jo]) {
      await ana.invite(world.rooms.advisory, member.userId);
      await member.waitForMembership(world.rooms.advisory, "invite", WAIT);
      await member.joinRoom(world.rooms.advisory);
    }
    const marioDm = await world.directMessage(mario);
    const caseId = await report(mario, marioDm, {
      description: "Heron-canary: the admin panel needs no password",
      credit: "Mario R.",
      share: "yes",
    });
    const { room: pabloDm, event } = await notice(pablo, caseId);
    expect(event.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    expect(event.getContent()["body"]).to.contain("Heron-canary").and.to.contain("Mario R.");
    await pablo.client.sendReadReceipt(event);
    await botSaid(ana, world.rooms.triage, (b) =>
      b.includes(`${caseId}: the affected organisation has read`),
    );

    const triage = world.rooms.triage;
    // Step 3 waits for the DSX team's review of the text: nothing reaches the rooms before.
    await botSaid(ana, triage, (b) => b.includes(`${caseId} is due for disclosure (step 3)`));
    for (const room of [world.rooms.communityAlerts, world.rooms.advisory])
      expect(botBodies(ana, room).filter((m) => m.body.includes(caseId))).to.deep.equal([]);
    await ana.sendText(triage, `!dsx approve ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} disclosed to stakeholders`));
    const community = await botSaid(ana, world.rooms.communityAlerts, (b) => b.includes(caseId));
    expect(community.getContent()["org.dsx.tlp"]).to.equal("GREEN");
    expect(community.getContent()["body"])
      .to.contain("Heron-canary")
      .and.to.contain("Reported by: Mario R.");
    await botSaid(kim, world.rooms.advisory, (b) => b.includes(`!dsx approve ${caseId}`));

    const steps = botBodies(ana, triage)
      .filter((m) => m.body.includes(caseId))
      .map((m) =>
        m.body.includes("Reminder")
          ? `reminder ${/the (\w+) deadline/.exec(m.body)?.[1] ?? ""}`
          : m.body.includes("no answer")
            ? "step 1 deadline"
            : m.body.includes("Step 2")
              ? "step 2"
              : m.body.includes("disclosed to stakeholders")
                ? "step 3"
                : m.body.includes("New vulnerability")
                  ? "new"
                  : m.body.includes("before the DSX team approves its text")
                    ? "review asked"
                    : m.body.includes("waits for the DSX team's review")
                      ? "review due"
                      : "seen",
      );
    expect(steps.filter((s) => s !== "seen")).to.deep.equal([
      "new",
      "review asked",
      "reminder respond",
      "step 1 deadline",
      "reminder escalate",
      "step 2",
      "reminder disclose",
      "review due",
      "step 3",
    ]);
    const reminder = botBodies(ana, triage).find((m) => m.body.includes("the disclose deadline"));
    expect(reminder?.body).to.contain(`still waits for your review: \`!dsx approve ${caseId}\``);
    const reminders = botBodies(pablo, pabloDm).filter((m) => m.body.includes("Reminder"));
    expect(reminders.length, "the affected party is reminded of each deadline").to.equal(3);

    await kim.sendText(world.rooms.advisory, `!dsx approve ${caseId}`);
    await botSaid(kim, world.rooms.advisory, (b) =>
      b.includes(`Approval recorded for ${caseId} (1 of 2)`),
    );
    await jo.sendText(world.rooms.advisory, `!dsx object ${caseId} the vendor is still testing`);
    await botSaid(jo, world.rooms.advisory, (b) => b.includes("objection"));
    expect(
      botBodies(ana, world.rooms.publicAlerts).filter((m) => m.body.includes(caseId)),
    ).to.deep.equal([]);
    await jo.sendText(world.rooms.advisory, `!dsx approve ${caseId}`);
    const published = await botSaid(ana, world.rooms.publicAlerts, (b) => b.includes(caseId));
    expect(published.getContent()["org.dsx.tlp"]).to.equal("WHITE");
    expect(published.getContent()["body"]).to.contain("Reported by: Mario R.");
    await botSaid(mario, marioDm, (b) => b.includes(`${caseId} has been disclosed publicly`));
  });

  it("an ack pauses escalation; extend moves the deadline and its reminder; fixed discloses with credit; need-time moves it by days", async () => {
    // Three seconds to answer: the ack comes after the notice's invite, join and decryption.
    await setUp(policy(3, 4, 6));
    const mario = await world.person("mario");
    const pablo = await world.person("pablo");
    const marioDm = await world.directMessage(mario);
    const caseId = await report(mario, marioDm, {
      description: "Ibis-canary: backups readable by anyone",
      credit: "Mario R.",
      share: "no",
    });
    const { room: pabloDm, event } = await notice(pablo, caseId);
    expect(event.getContent()["body"]).to.contain("asked not to share").and.to.not.contain("Mario");
    const notifiedAt = event.getTs();
    await pablo.sendText(pabloDm, `ack ${caseId}`);
    await botSaid(mario, marioDm, (b) =>
      b.includes(`${caseId}: the affected organisation has acknowledged`),
    );
    const triage = world.rooms.triage;
    // Approved ahead of step 3, the text goes out when step 3 comes.
    await ana.sendText(triage, `!dsx approve ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId}: text approved`));
    await ana.sendText(triage, `!dsx extend ${caseId} PT4S waiting for their release`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId}: deadlines moved`));
    const disclosed = await botSaid(ana, triage, (b) =>
      b.includes(`${caseId} disclosed to stakeholders`),
    );
    // Deadlines run from when the bot notified, a moment before the notice's timestamp (more
    // under load): the thresholds sit between the old times (reminder 5 s, disclosure 6 s)
    // and the extended ones (9 s, 10 s).
    expect(disclosed.getTs() - notifiedAt, "disclosed at the extended time").to.be.at.least(8_000);
    const about = botBodies(ana, triage).filter((m) => m.body.includes(caseId));
    expect(
      about.some((m) => m.body.includes("Step 2")),
      "no escalation after the ack",
    ).to.equal(false);
    expect(
      about.some((m) => m.body.includes("no answer")),
      "nor a missed answer",
    ).to.equal(false);
    const reminder = about.find((m) => m.body.includes("the disclose deadline"));
    expect(reminder, "the reminder moved with the deadline").to.not.equal(undefined);
    expect((reminder?.ts ?? 0) - notifiedAt).to.be.at.least(7_000);
    expect(about.filter((m) => m.body.includes("the escalate deadline")).length).to.equal(0);

    const second = await report(mario, marioDm, {
      description: "Jacana-canary: default password on the router",
      credit: "Mario R.",
      share: "yes",
    });
    await pablo.waitForMessage(
      pabloDm,
      fromBot((_b, e) => e.getContent()["org.dsx.case"] === second),
      WAIT,
    );
    await pablo.sendText(pabloDm, `need-time ${second} 2 the fix needs a new firmware`);
    const moved = await botSaid(ana, triage, (b) =>
      b.includes(`${second}: the affected organisation asks for 2 more days`),
    );
    const due = /now due (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(
      String(moved.getContent()["body"]),
    )?.[1];
    expect(Date.parse(`${due ?? ""}Z`) - Date.now()).to.be.greaterThan(2 * 86_400_000 - 60_000);
    const told = await botSaid(mario, marioDm, (b) =>
      b.includes(`${second}: the affected organisation is working on it`),
    );
    expect(told.getContent()["body"], "the reason stays with the DSX team").to.not.contain(
      "firmware",
    );
    await pablo.sendText(pabloDm, `fixed ${second}`);
    await botSaid(ana, triage, (b) => b.includes(`${second} is due for disclosure (step 3)`));
    await ana.sendText(triage, `!dsx approve ${second}`);
    const community = await botSaid(ana, world.rooms.communityAlerts, (b) => b.includes(second));
    expect(community.getContent()["body"])
      .to.contain("Jacana-canary")
      .and.to.contain("Reported by: Mario R.");
  });

  it("stopped across two deadlines: both fire once at start, in order, marked late; not again after another restart", async () => {
    await setUp(policy(3, 5, 60, 0));
    const mario = await world.person("mario");
    const pablo = await world.person("pablo");
    const marioDm = await world.directMessage(mario);
    const caseId = await report(mario, marioDm, {
      description: "Kite-canary",
      credit: "anonymous",
      share: "no",
    });
    const { event } = await notice(pablo, caseId);
    // Every period the bot states is the policy's (here in seconds), never written-in words.
    expect(event.getContent()["body"]).to.contain("disclosed to the DSX community a minute after");
    await world.stopBot("SIGKILL");
    await clockPast(event.getTs() + 6_000);
    await world.startBot();
    const triage = world.rooms.triage;
    await botSaid(ana, triage, (b) => b.includes(`${caseId}: 5 seconds without an answer`));
    await world.stopBot("SIGTERM");
    await world.startBot();
    await ana.sendText(triage, "!dsx vulns");
    await botSaid(ana, triage, (b) => b.includes(`${caseId} (high): notified`));
    const about = botBodies(ana, triage).filter((m) => m.body.includes(caseId));
    const missed = about.filter((m) => m.body.includes("no answer"));
    const escalation = about.filter((m) => m.body.includes("5 seconds without an answer"));
    expect(missed.length).to.equal(1);
    expect(escalation.length).to.equal(1);
    expect(missed[0]?.body).to.contain("(late: due");
    expect(escalation[0]?.body).to.contain("(late: due");
    expect(missed[0]?.ts ?? 0).to.be.at.most(escalation[0]?.ts ?? 0);
    expect(about.indexOf(missed[0] ?? about[0]!)).to.be.lessThan(
      about.indexOf(escalation[0] ?? about[0]!),
    );
  });

  it("the affected party's notice room is the bot's: its reader can write, not bring anyone in", async () => {
    // The room the bot makes for a notice used Element's trusted preset, which gave the reader
    // the bot's power: they could invite anyone, or open the room's history to everyone.
    await setUp(policy(60, 120, 180));
    const mario = await world.person("mario");
    const pablo = await world.person("pablo");
    const stranger = await world.person("olga");
    const marioDm = await world.directMessage(mario);
    const caseId = await report(mario, marioDm, {
      description: "Puffin-canary: an open directory of invoices",
      credit: "anonymous",
      share: "no",
    });
    const { room } = await notice(pablo, caseId);
    const refused = (promise: Promise<unknown>) =>
      promise.then(
        () => "accepted",
        (error: unknown) => String((error as { errcode?: string }).errcode),
      );
    expect(await refused(pablo.invite(room, stranger.userId))).to.equal("M_FORBIDDEN");
    expect(
      await refused(
        pablo.client.sendStateEvent(
          room,
          "m.room.history_visibility" as never,
          {
            history_visibility: "world_readable",
          } as never,
        ),
      ),
    ).to.equal("M_FORBIDDEN");
    await pablo.sendText(room, `ack ${caseId}`);
    await botSaid(pablo, room, (b) => b.includes(`${caseId} is noted as acknowledged`));
  });

  it("an anonymous reporter appears in no message, no log line and no readable column", async () => {
    await setUp(policy(60, 120, 180));
    const carla = await world.person("carla");
    const pablo = await world.person("pablo");
    const carlaDm = await world.directMessage(carla);
    const caseId = await report(carla, carlaDm, {
      description: "Lynx-canary: the donation form leaks card numbers",
      credit: "anonymous",
      share: "no",
    });
    const { room: pabloDm } = await notice(pablo, caseId);
    const triage = world.rooms.triage;
    await ana.sendText(triage, `!dsx vuln ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes("Lynx-canary") && b.includes("anonymous"));
    await ana.sendText(triage, `!dsx disclose ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} is due for disclosure (step 3)`));
    await ana.sendText(triage, `!dsx approve ${caseId}`);
    const disclosure = await botSaid(ana, world.rooms.communityAlerts, (b) => b.includes(caseId));
    expect(disclosure.getContent()["body"]).to.contain("an anonymous reporter");
    await botSaid(carla, carlaDm, (b) => b.includes(`${caseId} has been disclosed`));
    // The audit in triage names the no-share reporter by role only.
    await ana.sendText(triage, `!dsx audit ${caseId}`);
    await world.next(ana, triage, botStep("audit", caseId));

    const everything = [
      ...[triage, world.rooms.communityAlerts, world.rooms.advisory].flatMap((r) =>
        botBodies(ana, r),
      ),
      ...botBodies(pablo, pabloDm),
    ]
      .map((m) => JSON.stringify(m.event.getContent()))
      .join("\n");
    expect(everything).to.contain("Lynx-canary");
    expect(everything).to.not.contain(carla.userId);
    expect(everything).to.not.contain("carla");
    const bot = world.bot;
    await world.stopBot("SIGTERM");
    expect(bot?.stdout ?? "").to.not.contain(carla.userId);
    const bytes = await world.storedBytes();
    expect(bytes.includes(Buffer.from(carla.userId)), "the reporter in the database").to.equal(
      false,
    );
    expect(bytes.includes(Buffer.from("Lynx-canary")), "the description is sealed").to.equal(false);
  });
  it("a reporter cannot be their own affected party: not themselves, however spelled, nor their organisation", async () => {
    await setUp(policy(60, 120, 180));
    const mario = await world.person("mario");
    const marioDm = await world.directMessage(mario);
    await mario.sendText(marioDm, "report vulnerability");
    const asked = (text: string) =>
      world.next(
        mario,
        marioDm,
        (b, e) => e.getContent()["org.dsx.prompt"] === "affected" && b.includes(text),
      );
    await asked("Who is affected?");
    await mario.sendText(marioDm, mario.userId.replace("@mario", "@Mario"));
    await asked("You can't be the affected party of your own report");
    await mario.sendText(marioDm, "Rights Collective");
    await asked("You can't name your own organisation");
    await mario.sendText(marioDm, world.user("maria"));
    await asked("You can't name your own organisation");
    await mario.sendText(marioDm, "press-freedom");
    await world.next(mario, marioDm, (_b, e) => e.getContent()["org.dsx.prompt"] === "description");
  });

  it("the disclosure path is no megaphone: the notice quotes the reporter; nothing reaches the rooms before the DSX team approves the scanned text, across a restart", async () => {
    await setUp(policy(60, 120, 180));
    const mario = await world.person("mario");
    const pablo = await world.person("pablo");
    const marioDm = await world.directMessage(mario);
    const lure = "Your passwords expired: re-enter them at https://evil.example/login";
    const caseId = await report(mario, marioDm, {
      description: lure,
      credit: "Mario R.",
      share: "yes",
    });
    const triage = world.rooms.triage;
    const asked = await world.next(ana, triage, botStep("review", caseId));
    expect(asked.getContent()["org.dsx.tlp"]).to.equal("GREEN");
    expect(asked.getContent()["body"])
      .to.contain(lure)
      .and.to.contain("1. web address: “https://evil.example/login”")
      .and.to.contain(`!dsx approve ${caseId}`);

    // The reporter's words, set off as theirs in both bodies.
    const { room: pabloDm, event } = await notice(pablo, caseId);
    const content = event.getContent();
    expect(content["body"]).to.contain(`The reporter wrote:\n> ${lure}\n`);
    expect(content["body"]).to.contain("not a statement of DSX");
    expect(content["formatted_body"]).to.contain(
      "<strong>The reporter wrote:</strong><br><blockquote>Your passwords expired",
    );

    await pablo.sendText(pabloDm, `fixed ${caseId}`);
    const due = await world.next(ana, triage, botStep("review", caseId));
    expect(due.getContent()["body"]).to.contain(`${caseId} is due for disclosure (step 3)`);
    await world.stopBot("SIGTERM");
    await world.startBot();
    for (const room of [
      world.rooms.communityAlerts,
      world.rooms.advisory,
      world.rooms.publicAlerts,
    ])
      expect(
        botBodies(ana, room).filter((m) => m.body.includes(caseId)),
        room,
      ).to.deep.equal([]);
    await ana.sendText(triage, "!dsx vulns");
    await botSaid(
      ana,
      triage,
      (b) =>
        b.includes(`${caseId} (high): waiting for the DSX team's review before disclosure`) &&
        b.includes("text not yet approved"),
    );

    await ana.sendText(triage, `!dsx approve ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} disclosed to stakeholders`));
    const community = await botSaid(ana, world.rooms.communityAlerts, (b) => b.includes(caseId));
    expect(community.getContent()["body"]).to.contain(lure);
    await botSaid(ana, world.rooms.advisory, (b) => b.includes(`!dsx approve ${caseId}`));
    await ana.sendText(triage, `!dsx approve ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} has already been disclosed`));
  });

  it("a notice to someone outside the directory waits for the DSX team's confirmation; an anonymous reporter who agreed to share is named to them", async () => {
    await setUp(policy(60, 120, 180));
    const mario = await world.person("mario");
    const olga = await world.person("olga");
    const marioDm = await world.directMessage(mario);
    await mario.sendText(marioDm, "report vulnerability");
    const prompt = (name: string) =>
      world.next(mario, marioDm, (_b, e) => e.getContent()["org.dsx.prompt"] === name);
    const lure = "Your DSX account is suspended, verify at https://evil.example/verify";
    for (const [name, answer] of [
      ["affected", olga.userId],
      ["description", lure],
      ["severity", "critical"],
      ["evidence", "none"],
      ["credit", "anonymous"],
    ] as const) {
      await prompt(name);
      await mario.sendText(marioDm, answer);
    }
    // The question says what `yes` means for an anonymous reporter.
    const share = await prompt("share-contact");
    expect(share.getContent()["body"]).to.contain(
      "even if the disclosure credits you as anonymous",
    );
    await mario.sendText(marioDm, "yes");
    await prompt("confirm");
    await mario.sendText(marioDm, "yes");
    const received = await world.next(mario, marioDm, botStep("received"));
    const caseId = String(received.getContent()["org.dsx.case"]);
    expect(received.getContent()["body"]).to.contain("the DSX team checks it before I write");
    const triage = world.rooms.triage;
    await world.next(ana, triage, botStep("confirmation-request", caseId));
    await world.next(ana, triage, botStep("review", caseId));
    // The review request is the last of the report's own transaction: nothing went to olga.
    expect(await world.roomsOf(olga.userId)).to.deep.equal([]);
    await ana.sendText(triage, `!dsx expedite ${caseId} they say it is exploited`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId} has no schedule yet`));

    await ana.sendText(triage, `!dsx confirm ${caseId}`);
    await botSaid(ana, triage, (b) => b.includes(`${caseId}: contact confirmed`));
    const { event } = await notice(olga, caseId);
    const body = String(event.getContent()["body"]);
    expect(body).to.contain(`The reporter wrote:\n> ${lure}`);
    // She said yes to sharing: her Matrix ID, not the anonymous credit, tells olga who reported.
    expect(body).to.contain(`Reported by: ${mario.userId}`);
    await botSaid(mario, marioDm, (b) =>
      b.includes(`${caseId}: the affected organisation has been notified`),
    );
  });
});
