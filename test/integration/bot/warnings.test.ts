import { expect } from "chai";
import { Alert, AuditEntry } from "../../../src/store/entities/index.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";

const WAIT = 60_000;

/**
 * Private warnings to a partner at risk: the provider (sam) drafts one in the ticket of the
 * reporting partner (maria, Rights Collective) for another partner (pablo, press-freedom);
 * maria approves or refuses; pablo's organisation alone gets it, in a room of its own.
 */
describe("private warnings to a partner at risk", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  /** The world the running test made (none if it failed before making one). */
  let made: DsxWorld | undefined;
  let ana: E2eeTestClient;
  let maria: E2eeTestClient;
  let sam: E2eeTestClient;
  let pablo: E2eeTestClient;
  let ticket: { caseId: string; roomId: string };

  async function setUp(label: string, config: readonly string[] = []): Promise<void> {
    world = made = await DsxWorld.create(config);
    await world.startBot();
    ana = await world.dsxTeamMember();
    maria = await world.person("maria");
    sam = await world.person("sam");
    pablo = await world.person("pablo");
    ticket = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label,
      description: "Tapir-canary: a spyware link sent to our director",
    });
  }
  afterEach(async () => {
    await made?.stop();
    made = undefined;
  });
  const restart = async () => {
    await world.stopBot("SIGKILL");
    await world.startBot();
  };

  it("flags the reporting partner; once approved only the at-risk organisation gets it, under the ticket's label", async () => {
    await setUp("RED");
    // Only the provider (or DSX in triage) may warn; and not the reporting partner itself.
    await maria.sendText(ticket.roomId, `!dsx warn-partner ${ticket.caseId} press-freedom x`);
    await world.next(maria, ticket.roomId, (b) => b.includes("Only the provider"));
    await sam.sendText(ticket.roomId, `!dsx warn-partner ${ticket.caseId} rights-collective x`);
    await world.next(sam, ticket.roomId, (b) => b.includes("not a partner organisation I can"));

    await sam.sendText(
      ticket.roomId,
      `!dsx warn-partner ${ticket.caseId} press-freedom Rights Collective's director got a ` +
        "spyware link from the same sender your newsroom writes to; please check your phones.",
    );
    const review = await world.next(sam, ticket.roomId, step("review"));
    const warningId = String(review.getContent()["org.dsx.case"]);
    expect(review.getContent()["org.dsx.tlp"]).to.equal("RED");
    expect(String(review.getContent()["body"])).to.contain("1. organisation: “Rights Collective”");
    await restart();
    await sam.sendText(ticket.roomId, `!dsx alert ${warningId} remove 1`);
    const request = await world.next(maria, ticket.roomId, step("approval-request", warningId));
    expect(String(request.getContent()["body"])).to.contain("press-freedom");
    // The provider cannot approve for the partner; without the partner's yes nothing is sent.
    await sam.sendText(ticket.roomId, "!dsx approve");
    await world.next(sam, ticket.roomId, (b) => b.includes(`can approve ${warningId}`));
    expect(await world.membership(ticket.roomId, pablo.userId)).to.equal(undefined);
    await restart();

    await maria.sendText(ticket.roomId, "!dsx approve");
    await world.next(maria, ticket.roomId, step("warning-approved", warningId));
    const room = await pablo.waitForInvite(world.botUserId, (r) => r.name === warningId, WAIT);
    await pablo.joinRoom(room);
    const warning = await world.next(pablo, room, step("warning", warningId));
    const content = warning.getContent();
    expect(content["org.dsx.tlp"]).to.equal("RED");
    const body = String(content["body"]);
    expect(body).to.contain("Private warning").and.to.contain("please check your phones");
    for (const secret of ["Rights Collective", "rights-collective", maria.userId, ticket.caseId])
      expect(body, secret).not.to.contain(secret);
    const members = [...(await world.memberships(room))]
      .filter(([, membership]) => membership === "join" || membership === "invite")
      .map(([userId]) => userId)
      .sort();
    expect(members).to.deep.equal([world.botUserId, pablo.userId].sort());

    // Pablo answers there; the ticket room hears only that it was delivered.
    await pablo.sendText(room, "Thanks, Civet-reply: we are checking our phones");
    await world.next(maria, ticket.roomId, step("warning-delivered", warningId));
    await restart();
    await sam.sendText(ticket.roomId, "!dsx status");
    await world.next(sam, ticket.roomId, step("status"));
    const ticketSaid = (maria.client.getRoom(ticket.roomId)?.getLiveTimeline().getEvents() ?? [])
      .map((e) => JSON.stringify(e.getContent()))
      .join("\n");
    expect(ticketSaid).not.to.contain("Civet-reply");
    const warnings = world
      .botMessages(pablo, room)
      .filter((e) => step("warning", warningId)("", e));
    expect(warnings).to.have.length(1);

    // The ticket closes: the bot leaves the warning's room, and the warning is deleted.
    await maria.sendText(ticket.roomId, "!dsx close resolved");
    await world.next(pablo, room, step("closed"));
    await world.stopBot();
    const left = await world.database((manager) => manager.countBy(Alert, { kind: "warning" }));
    expect(left).to.equal(0);
  });

  it("refused by the partner, nothing is sent; the advisory committee cannot approve an incident's", async () => {
    await setUp("AMBER");
    const kim = await world.person("kim");
    await world.addToRoom(ana, world.rooms.advisory, [kim]);
    await sam.sendText(
      ticket.roomId,
      `!dsx warn-partner ${ticket.caseId} press-freedom The same sender targets newsrooms.`,
    );
    const request = await world.next(maria, ticket.roomId, step("approval-request"));
    const warningId = String(request.getContent()["org.dsx.case"]);
    expect(request.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    await kim.sendText(world.rooms.advisory, `!dsx approve ${warningId} it matters`);
    await world.next(kim, world.rooms.advisory, (b) => b.includes(`can approve ${warningId}`));
    await maria.sendText(ticket.roomId, `!dsx refuse ${warningId}`);
    await world.next(maria, ticket.roomId, step("alert-refused", warningId));
    await maria.sendText(ticket.roomId, `!dsx approve ${warningId}`);
    await world.next(maria, ticket.roomId, (b) => b.includes(`${warningId} is refused`));
    await world.stopBot();
    expect(await world.roomsOf(pablo.userId), "rooms pablo was ever invited to").to.deep.equal([]);
  });
});

/**
 * The policy's reservation: a serious vulnerability whose affected party does not answer may
 * be warned about without their approval, with the advisory quorum, who say why.
 */
describe("private warnings from a vulnerability: the advisory path", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  afterEach(async () => {
    await world.stop();
  });

  it("works only past step 1 without an answer, and records who decided and why", async () => {
    world = await DsxWorld.create([
      "policy:",
      "  disclosure: { respondWithin: PT3S, escalateAfter: PT6S, discloseAfter: PT600S, remindBefore: PT1S, advisoryQuorum: 2 }",
    ]);
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const [mario, pablo, maria, kim, jo] = await Promise.all(
      ["mario", "pablo", "maria", "kim", "jo"].map((name) => world.person(name)),
    );
    if (!mario || !pablo || !maria || !kim || !jo) throw new Error("people missing");
    const advisory = world.rooms.advisory;
    await world.addToRoom(ana, advisory, [kim, jo]);
    const vulnId = await world.reportVulnerability(mario, await world.directMessage(mario), {
      description: "Kinkajou-canary: their upload form runs any file",
      severity: "critical",
    });
    const triage = world.rooms.triage;
    const draft = async () => {
      await ana.sendText(
        triage,
        `!dsx warn-partner ${vulnId} rights-collective The upload form of a CMS you share ` +
          "runs any file; take the form offline.",
      );
      const asked = await world.next(ana, triage, step("approval-asked"));
      return String(asked.getContent()["org.dsx.case"]);
    };
    const early = await draft();
    await kim.sendText(advisory, `!dsx approve ${early} critical`);
    await world.next(kim, advisory, (b) => b.includes(`can approve ${early}`));

    await world.next(ana, triage, step("escalation", vulnId));
    const late = await draft();
    const asked = await world.next(kim, advisory, step("approval-request", late));
    expect(String(asked.getContent()["body"])).not.to.contain("take the form offline");
    await kim.sendText(advisory, `!dsx approve ${late} partners run the same CMS`);
    await world.next(kim, advisory, (b) => b.includes("(1 of 2)"));
    await jo.sendText(advisory, `!dsx approve ${late} no answer in two weeks`);
    const room = await maria.waitForInvite(world.botUserId, (r) => r.name === late, WAIT);
    await maria.joinRoom(room);
    const warning = await world.next(maria, room, step("warning", late));
    expect(warning.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    expect(String(warning.getContent()["body"])).to.contain("take the form offline");
    await world.stopBot();

    const key = Buffer.from(world.env.DSX_DATA_KEY ?? "", "base64");
    const cipher = new FieldCipher(key);
    await world.database(async (manager) => {
      const row = await manager.findOneByOrFail(Alert, { caseId: late });
      expect([row.state, row.approvedVia]).to.deep.equal(["posted", "advisory"]);
      expect(row.reason).not.to.contain("CMS");
      expect(JSON.parse(cipher.decrypt(row.reason ?? "", `alert.reason:${late}`))).to.deep.equal([
        { userId: kim.userId, reason: "partners run the same CMS" },
        { userId: jo.userId, reason: "no answer in two weeks" },
      ]);
      const actors = (
        await manager.findBy(AuditEntry, { caseId: late, action: "alert.advisory-approved" })
      ).map((entry) => entry.actor);
      expect(actors).to.deep.equal([kim.userId, jo.userId]);
    });
  });
});
