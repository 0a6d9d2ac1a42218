import { expect } from "chai";
import { Visibility } from "matrix-js-sdk";
import { In } from "typeorm";
import { Alert, AuditEntry, OutgoingMessage } from "../../../src/store/entities/index.js";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

/**
 * Community alerts as the provider (sam) drafts them in a ticket room, the partner (maria)
 * approves them, and the community, the public and donors (ana reads every configured room)
 * receive them; with the bot killed between the steps.
 */
describe("community alerts: drafted in a ticket, cleaned, approved, posted", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;
  let maria: E2eeTestClient;
  let sam: E2eeTestClient;
  let ticket: { caseId: string; roomId: string };

  beforeEach(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    ana = await world.dsxTeamMember();
    maria = await world.person("maria");
    sam = await world.person("sam");
    ticket = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "AMBER",
      description: "Ibis-canary: a fake login page for our webmail",
    });
  });
  afterEach(async () => {
    await world.stop();
  });

  const restart = async () => {
    await world.stopBot("SIGKILL");
    await world.startBot();
  };
  /** Everything the bot ever put into a room, as the homeserver holds it (sealed or not). */
  const botEventsIn = (roomId: string) =>
    (world.testHomeserver.room(roomId)?.timeline ?? []).filter(
      (e) =>
        e["sender"] === world.botUserId &&
        ["m.room.message", "m.room.encrypted"].includes(String(e["type"])),
    );

  /** A draft with nothing identifying in it, approved by maria: resolves with its id. */
  async function cleanAlert(label: string, title: string): Promise<string> {
    await sam.sendText(
      ticket.roomId,
      `!dsx alert ${label} ${title} | Fake webmail login pages | Small NGOs | Check the address bar`,
    );
    const request = await world.next(maria, ticket.roomId, step("approval-request"));
    const alertId = String(request.getContent()["org.dsx.case"]);
    await maria.sendText(ticket.roomId, `!dsx approve ${alertId}`);
    await world.next(maria, ticket.roomId, step("alert-posted", alertId));
    return alertId;
  }

  it("flags the partner's name and a member's Matrix ID; once cleaned and approved, only the GREEN room gets it", async function () {
    needsTestHomeserver(this, "reads the homeserver's rooms directly");
    const mariaId = maria.userId;
    await sam.sendText(
      ticket.roomId,
      `!dsx alert GREEN Webmail phishing | Rights Collective was sent links by ${mariaId}'s ` +
        "look-alike account | Human-rights groups using webmail | Check the sender's address",
    );
    const review = await world.next(sam, ticket.roomId, step("review"));
    const alertId = String(review.getContent()["org.dsx.case"]);
    expect(alertId).to.match(/^ALR-\d{4}-\d{4}$/);
    expect(review.getContent()["org.dsx.tlp"]).to.equal("AMBER");
    const findings = String(review.getContent()["body"]);
    expect(findings).to.contain("1. organisation: “Rights Collective”");
    expect(findings).to.contain(`2. Matrix ID: “${mariaId}”`);
    await restart();

    // Nobody is asked to approve a draft with open findings; only the author may change it.
    await maria.sendText(ticket.roomId, `!dsx approve ${alertId}`);
    await world.next(maria, ticket.roomId, (b) => b.includes("still has findings"));
    await maria.sendText(ticket.roomId, `!dsx alert ${alertId} keep 1`);
    await world.next(maria, ticket.roomId, (b) => b.includes(`Only the author of ${alertId}`));

    await sam.sendText(ticket.roomId, `!dsx alert ${alertId} remove 1`);
    const second = await world.next(sam, ticket.roomId, step("review", alertId));
    expect(String(second.getContent()["body"])).to.contain(`1. Matrix ID: “${mariaId}”`);
    expect(String(second.getContent()["body"])).not.to.contain("Rights Collective");
    await sam.sendText(
      ticket.roomId,
      `!dsx alert ${alertId} edit Webmail phishing | Look-alike accounts send links to ` +
        "fake login pages | Human-rights groups using webmail | Check the sender's address",
    );
    const request = await world.next(maria, ticket.roomId, step("approval-request", alertId));
    expect(String(request.getContent()["body"])).to.contain("Look-alike accounts");
    await restart();

    // The provider is not the partner.
    await sam.sendText(ticket.roomId, `!dsx approve ${alertId}`);
    await world.next(sam, ticket.roomId, (b) => b.includes(`approve ${alertId}`));
    await maria.sendText(ticket.roomId, `!dsx approve ${alertId}`);
    await world.next(maria, ticket.roomId, step("alert-posted", alertId));

    const posted = await world.next(ana, world.rooms.communityAlerts, step("alert", alertId));
    const content = posted.getContent();
    expect(content["org.dsx.tlp"]).to.equal("GREEN");
    const body = String(content["body"]);
    expect(body).to.contain("Webmail phishing").and.to.contain("Threat: Look-alike accounts");
    expect(body).to.contain("What to do: Check the sender's address");
    for (const secret of ["Rights Collective", mariaId, "Ibis-canary", ticket.caseId])
      expect(body, secret).not.to.contain(secret);
    expect(String(content["formatted_body"])).to.contain("<strong>Threat:</strong>");
    expect(botEventsIn(world.rooms.publicAlerts), "public room").to.deep.equal([]);
    expect(botEventsIn(world.rooms.donors), "donor room").to.deep.equal([]);

    // Approving again, or after a restart, posts nothing twice.
    await restart();
    await maria.sendText(ticket.roomId, `!dsx approve ${alertId}`);
    await world.next(maria, ticket.roomId, (b) => b.includes(`${alertId} is posted`));
    const whiteId = await cleanAlert("WHITE", "Public webmail warning");
    await world.next(ana, world.rooms.publicAlerts, step("alert", whiteId));
    await world.next(ana, world.rooms.donors, step("alert", whiteId));
    await world.next(ana, world.rooms.communityAlerts, step("alert", whiteId));
    const greenPosts = world
      .botMessages(ana, world.rooms.communityAlerts)
      .filter((e) => e.getContent()["org.dsx.case"] === alertId);
    expect(greenPosts).to.have.length(1);
  });

  it("refuses a GREEN alert to a community room made public, world-readable or listed, and says why", async () => {
    const green = world.rooms.communityAlerts;
    const setState = (type: string, content: Record<string, unknown>) =>
      ana.client.sendStateEvent(green, type as never, content as never, "");
    const expectRefusal = async (title: string, why: string) => {
      await cleanAlert("GREEN", title);
      const refusal = await world.next(ana, green, step("refused"));
      expect(refusal.getContent()["body"]).to.contain("TLP:GREEN").and.to.contain(why);
    };
    await setState("m.room.join_rules", { join_rule: "public" });
    await expectRefusal("Vole alert", "anyone can join it");
    await setState("m.room.join_rules", { join_rule: "invite" });
    await setState("m.room.history_visibility", { history_visibility: "world_readable" });
    await expectRefusal("Marten alert", "history is readable by anyone");
    await setState("m.room.history_visibility", { history_visibility: "shared" });
    await ana.client.setRoomDirectoryVisibility(green, Visibility.Public);
    await expectRefusal("Stoat alert", "public room directory");
    const said = (ana.client.getRoom(green)?.getLiveTimeline().getEvents() ?? [])
      .map((e) => JSON.stringify(e.getContent()))
      .join("\n");
    for (const title of ["Vole", "Marten", "Stoat"]) expect(said).not.to.contain(title);
  });

  it("forgets drafts when the ticket closes, and keeps no link from a posted alert to it", async () => {
    const postedId = await cleanAlert("GREEN", "Ferret alert");
    await sam.sendText(ticket.roomId, "!dsx alert GREEN Draft naming Rights Collective");
    const review = await world.next(sam, ticket.roomId, step("review"));
    const draftId = String(review.getContent()["org.dsx.case"]);
    await maria.sendText(ticket.roomId, "!dsx close resolved");
    await world.next(maria, ticket.roomId, step("closed", ticket.caseId));
    await world.stopBot();
    const rows = await world.database((manager) =>
      manager.find(Alert, {
        select: { caseId: true, sourceCase: true, author: true, draftRoomId: true },
        order: { id: "ASC" },
      }),
    );
    const kept = rows.map(({ caseId, sourceCase, author, draftRoomId }) => ({
      caseId,
      sourceCase,
      author,
      draftRoomId,
    }));
    expect(kept).to.deep.equal([
      { caseId: postedId, sourceCase: null, author: null, draftRoomId: null },
    ]);
    expect(rows.map((r) => r.caseId)).not.to.contain(draftId);
    // Nor do the alerts' audit entries and sent messages name the ticket's people or room.
    const alerts = In([postedId, draftId]);
    const entries = await world.database((manager) =>
      manager.find(AuditEntry, { where: { caseId: alerts }, order: { id: "ASC" } }),
    );
    expect(entries.map((e) => e.action)).to.include("alert.posted");
    expect(entries.filter((e) => e.actor !== null || e.roomId !== null)).to.deep.equal([]);
    const sent = await world.database((manager) =>
      manager.findBy(OutgoingMessage, { caseId: alerts, roomId: ticket.roomId }),
    );
    expect(sent).to.deep.equal([]);
  });
});

/**
 * An alert drawn from a vulnerability (drafted by ana in triage): the affected organisation
 * (pablo) may approve it; the advisory committee (kim, jo) may approve it instead only once the
 * case is serious and past step 1 without an answer, as the policy reserves.
 */
describe("community alerts from a vulnerability: the advisory path", function () {
  this.timeout(600_000);
  let world: DsxWorld;

  afterEach(async () => {
    await world.stop();
  });

  it("the quorum approves only past step 1 without an answer; before, only the affected party could", async () => {
    world = await DsxWorld.create([
      "policy:",
      "  disclosure: { respondWithin: PT3S, escalateAfter: PT6S, discloseAfter: PT600S, remindBefore: PT1S, advisoryQuorum: 2 }",
    ]);
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const [mario, pablo, kim, jo] = await Promise.all(
      ["mario", "pablo", "kim", "jo"].map((name) => world.person(name)),
    );
    if (!mario || !pablo || !kim || !jo) throw new Error("people missing");
    const advisory = world.rooms.advisory;
    await world.addToRoom(ana, advisory, [kim, jo]);
    const vulnId = await world.reportVulnerability(mario, await world.directMessage(mario), {
      description: "Gecko-canary: the admin panel needs no password",
    });
    const pabloDm = await pablo.waitForInvite(world.botUserId, () => true, 60_000);
    await pablo.joinRoom(pabloDm);

    const triage = world.rooms.triage;
    const draft = async (title: string) => {
      await ana.sendText(
        triage,
        `!dsx alert ${vulnId} GREEN ${title} | Admin panels open without a password | ` +
          "Newsrooms running the same CMS | Put the admin panel behind a login",
      );
      const request = await world.next(pablo, pabloDm, step("approval-request"));
      return String(request.getContent()["org.dsx.case"]);
    };
    const early = await draft("Open admin panels");
    await kim.sendText(advisory, `!dsx approve ${early} it is serious`);
    await world.next(kim, advisory, (b) => b.includes(`can approve ${early}`));

    await world.next(ana, triage, step("escalation", vulnId));
    const late = await draft("Open admin panels, again");
    const asked = await world.next(kim, advisory, step("approval-request", late));
    expect(String(asked.getContent()["body"])).to.contain("has not answered");
    await kim.sendText(advisory, `!dsx approve ${late}`);
    await world.next(kim, advisory, (b) => b.includes("Please say why"));
    await kim.sendText(advisory, `!dsx approve ${late} newsrooms are exposed and nobody answers`);
    await world.next(kim, advisory, (b) => b.includes(`(1 of 2)`));
    await world.stopBot("SIGKILL");
    await world.startBot();
    await jo.sendText(advisory, `!dsx approve ${late} same CMS everywhere`);
    const posted = await world.next(ana, world.rooms.communityAlerts, step("alert", late));
    expect(String(posted.getContent()["body"])).to.contain("Open admin panels, again");
    expect(String(posted.getContent()["body"])).not.to.contain("Gecko-canary");
    await world.next(ana, triage, step("alert-posted", late));
  });
});
