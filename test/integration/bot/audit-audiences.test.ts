import { expect } from "chai";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";

/**
 * `!dsx audit` in triage names no one that the case's other messages to triage keep from it:
 * for a RED ticket triage learns only its type and urgency, and a vulnerability's reporter who
 * chose not to share their contact is not named to triage; their audits say who by role.
 */
describe("the audit in triage names only whom the case shows triage", function () {
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

  async function auditOf(caseId: string): Promise<{ body: string; label: unknown }> {
    await ana.sendText(world.rooms.triage, `!dsx audit ${caseId}`);
    const audit = await world.next(ana, world.rooms.triage, step("audit", caseId));
    return { body: String(audit.getContent()["body"]), label: audit.getContent()["org.dsx.tlp"] };
  }

  it("a RED ticket's audit, and its alert's, say the reporter and the provider, not their IDs", async () => {
    const [maria, sam] = [await world.person("maria"), await world.person("sam")];
    const ticket = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "RED",
      description: "a leaked list of our sources",
    });
    const audit = await auditOf(ticket.caseId);
    expect(audit.body).not.to.contain(maria.userId).and.not.to.contain(sam.userId);
    expect(audit.body).to.contain("the reporter · incident.opened");
    expect(audit.body).to.contain("the provider · incident.accepted");
    expect(audit.label).to.equal("AMBER");

    // An alert drafted there is audited as its ticket is.
    await sam.sendText(ticket.roomId, "!dsx alert GREEN Fake login pages | phishing | NGOs | look");
    const draft = await world.next(sam, ticket.roomId, step("approval-request"));
    const alert = await auditOf(String(draft.getContent()["org.dsx.case"]));
    expect(alert.body).not.to.contain(sam.userId);
    expect(alert.body).to.contain("the provider · alert.drafted");
  });

  it("an AMBER+STRICT ticket's audit names its people, under the ticket's label", async () => {
    const [maria, sam] = [await world.person("maria"), await world.person("sam")];
    const ticket = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "AMBER+STRICT",
      description: "a fake webmail login page",
    });
    const audit = await auditOf(ticket.caseId);
    expect(audit.body).to.contain(`${maria.userId} · incident.opened`);
    expect(audit.label).to.equal("AMBER+STRICT");
  });

  it("a vulnerability's reporter who did not share their contact is not named", async () => {
    const mario = await world.person("mario");
    const caseId = await world.reportVulnerability(mario, await world.directMessage(mario), {
      description: "the upload form runs any script",
      credit: "Mario Rossi",
    });
    const audit = await auditOf(caseId);
    expect(audit.body).not.to.contain(mario.userId).and.not.to.contain("Mario Rossi");
    expect(audit.body).to.contain("the reporter · vulnerability.reported");
  });
});
