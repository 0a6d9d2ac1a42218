import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { uploadEncryptedFile } from "../../support/clients/element-files.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";

const WAIT = 60_000;

/** The canary: written into every free text, it must never be found in plain anywhere. */
const CANARY = "Quagga";

/** Every file under a folder, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? filesUnder(path) : Promise.resolve([path]);
    }),
  );
  return nested.flat();
}

/**
 * The Code of Practice: "sensitive information will be kept and sent only in encrypted formats
 * ... this explicitly includes back-ups". A canary goes into every free-text field of every
 * workflow (incident, file, alert, warning, closing; vulnerability, need-time, extension,
 * objection, advisory reason; harassment, note, warning, closing); after each workflow, and
 * after a backup and a key rotation, it is in no file of the state directory (the database and
 * its WAL, the E2EE store, the session, the backups) and in no line of the bot's log.
 */
describe("data at rest: a canary in every free text is never stored or logged in plain", function () {
  this.timeout(900_000);
  let world: DsxWorld;
  afterEach(async () => {
    await world.stop();
  });

  it("through every workflow, a backup and a key rotation", async () => {
    world = await DsxWorld.create([
      "policy:",
      "  undecryptable: { askToResendAfter: PT2S }",
      "  disclosure: { respondWithin: PT1H, escalateAfter: PT2H, discloseAfter: PT3H, remindBefore: PT1S, advisoryQuorum: 2 }",
    ]);
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const [maria, sam, pablo, mario, kim, jo, lee] = await Promise.all(
      ["maria", "sam", "pablo", "mario", "kim", "jo", "lee"].map((name) => world.person(name)),
    );
    if (!maria || !sam || !pablo || !mario || !kim || !jo || !lee) throw new Error("people");
    await world.addToRoom(ana, world.rooms.advisory, [kim, jo]);
    const nowhereInPlain = async (when: string) => {
      const found: string[] = [];
      for (const file of await filesUnder(world.stateDir))
        if ((await readFile(file)).includes(Buffer.from(CANARY))) found.push(file);
      expect(found, `${when}: files with the canary`).to.deep.equal([]);
      expect(
        (await world.storedBytes()).includes(Buffer.from(CANARY)),
        `${when}: database`,
      ).to.equal(false);
      expect(world.logs.includes(CANARY), `${when}: the canary in the log`).to.equal(false);
    };

    // An incident with a file, an alert and a warning drawn from it, closed.
    const mariaDm = await world.directMessage(maria);
    await maria.sendText(mariaDm, "report incident");
    await world.answerPrompts(maria, mariaDm, [
      ["type", "1"],
      ["description", `${CANARY}-description: the office laptop was taken`],
      ["measures", `${CANARY}-measures: passwords changed`],
    ]);
    await world.next(maria, mariaDm, (_b, e) => e.getContent()["org.dsx.prompt"] === "files");
    const file = await uploadEncryptedFile(
      maria.client,
      Buffer.from(`${CANARY}-file-content`),
      `${CANARY}-file.txt`,
      "text/plain",
    );
    await maria.sendEvent(mariaDm, "m.room.message", { ...file });
    await world.next(maria, mariaDm, (b) => b.includes(`${CANARY}-file.txt`));
    await maria.sendText(mariaDm, "done");
    await world.answerPrompts(maria, mariaDm, [
      ["urgency", "high"],
      ["tlp", "AMBER"],
      ["consent", "yes"],
      ["confirm", "yes"],
    ]);
    const received = await world.next(maria, mariaDm, step("received"));
    const incident = String(received.getContent()["org.dsx.case"]);
    await ana.sendText(world.rooms.triage, `!dsx assign ${incident} securelab`);
    const samDm = await sam.waitForInvite(world.botUserId, () => true, WAIT);
    await sam.joinRoom(samDm);
    await world.next(sam, samDm, step("offer", incident));
    await sam.sendText(samDm, `accept ${incident}`);
    const ticket = await maria.waitForInvite(world.botUserId, (r) => r.name === incident, WAIT);
    await maria.joinRoom(ticket);
    await sam.waitForInvite(world.botUserId, (r) => r.roomId === ticket, WAIT);
    await sam.joinRoom(ticket);
    await world.next(maria, ticket, step("summary", incident));
    await sam.sendText(ticket, `!dsx alert GREEN ${CANARY}-alert | a threat | anyone | be careful`);
    const alertAsk = await world.next(maria, ticket, step("approval-request"));
    await maria.sendText(ticket, `!dsx approve ${String(alertAsk.getContent()["org.dsx.case"])}`);
    await world.next(maria, ticket, step("alert-posted"));
    await sam.sendText(ticket, `!dsx warn-partner ${incident} press-freedom ${CANARY}-warning`);
    const warningAsk = await world.next(maria, ticket, step("approval-request"));
    const warning = String(warningAsk.getContent()["org.dsx.case"]);
    await maria.sendText(ticket, `!dsx approve ${warning}`);
    const warningRoom = await pablo.waitForInvite(world.botUserId, (r) => r.name === warning, WAIT);
    await pablo.joinRoom(warningRoom);
    await world.next(pablo, warningRoom, step("warning", warning));
    await nowhereInPlain("an open incident");
    await maria.sendText(ticket, `!dsx close resolved ${CANARY}-outcome`);
    await world.next(maria, ticket, step("closed", incident));
    await nowhereInPlain("a closed incident");

    // A vulnerability: report, more time asked, extended, disclosed, objected to.
    const marioDm = await world.directMessage(mario);
    await mario.sendText(marioDm, "report vulnerability");
    await world.answerPrompts(mario, marioDm, [
      ["affected", "press-freedom"],
      ["description", `${CANARY}-vulnerability`],
      ["severity", "high"],
      ["evidence", `${CANARY}-evidence`],
      ["credit", `${CANARY}-credit`],
      ["share-contact", "no"],
      ["confirm", "yes"],
    ]);
    const reported = await world.next(mario, marioDm, step("received"));
    const vulnerability = String(reported.getContent()["org.dsx.case"]);
    const pabloDm = await pablo.waitForInvite(
      world.botUserId,
      (r) => r.roomId !== warningRoom,
      WAIT,
    );
    await pablo.joinRoom(pabloDm);
    await world.next(pablo, pabloDm, (_b, e) => e.getContent()["org.dsx.case"] === vulnerability);
    await pablo.sendText(pabloDm, `need-time ${vulnerability} 3 ${CANARY}-need-time`);
    await world.next(pablo, pabloDm, (b) => b.includes(vulnerability));
    await ana.sendText(world.rooms.triage, `!dsx extend ${vulnerability} PT1H ${CANARY}-extend`);
    await world.next(
      ana,
      world.rooms.triage,
      (b) => b.includes(vulnerability) && b.includes("deadlines moved"),
    );
    await ana.sendText(world.rooms.triage, `!dsx expedite ${vulnerability} ${CANARY}-expedite`);
    await world.next(
      ana,
      world.rooms.triage,
      (b) => b.includes(vulnerability) && b.includes("is due for disclosure"),
    );
    await ana.sendText(world.rooms.triage, `!dsx approve ${vulnerability}`);
    await world.next(kim, world.rooms.advisory, step("approval-request", vulnerability));
    await kim.sendText(world.rooms.advisory, `!dsx object ${vulnerability} ${CANARY}-objection`);
    await world.next(kim, world.rooms.advisory, (b) => b.includes("objection"));
    await nowhereInPlain("a vulnerability");

    // A harassment report: noted, a warning sent, closed.
    const leeDm = await world.directMessage(lee);
    await lee.sendText(leeDm, "report harassment");
    await world.answerPrompts(lee, leeDm, [
      ["what", `${CANARY}-what`],
      ["who", pablo.userId],
      ["where-when", `${CANARY}-where`],
      ["evidence", `${CANARY}-evidence-of-harassment`],
      ["anonymous", "yes"],
      ["confirm", "yes"],
    ]);
    const harassment = String(
      (await world.next(lee, leeDm, step("received"))).getContent()["org.dsx.case"],
    );
    const reportRoom = await ana.waitForInvite(world.botUserId, (r) => r.name === harassment, WAIT);
    await ana.joinRoom(reportRoom);
    await ana.sendText(reportRoom, `!dsx note ${CANARY}-note`);
    await world.next(ana, reportRoom, step("note"));
    await ana.sendText(reportRoom, `!dsx warn ${pablo.userId} ${CANARY}-conduct-warning`);
    await world.next(ana, reportRoom, (b) => b.includes("sending the warning"));
    await ana.sendText(reportRoom, `!dsx close warned ${CANARY}-conduct-outcome`);
    await world.next(lee, leeDm, (b) => b.includes("closed your report"));
    await nowhereInPlain("a harassment report");

    // A backup, and a key rotation: still nothing in plain; the bot reads its cases after.
    await world.stopBot();
    const backup = await world.cli("backup");
    expect(backup.code, backup.stderr).to.equal(0);
    const newKey = randomBytes(32).toString("base64");
    const rotated = await world.cli("rotate-key", ["--new-key-env", "NEW_KEY"], {
      NEW_KEY: newKey,
    });
    expect(rotated.code, rotated.stderr).to.equal(0);
    expect(rotated.stdout).to.match(/re-sealed [1-9]\d* value/);
    world.env.DSX_DATA_KEY = newKey;
    await nowhereInPlain("after a backup and a key rotation");
    await world.startBot();
    await ana.sendText(world.rooms.triage, `!dsx vuln ${vulnerability}`);
    await world.next(ana, world.rooms.triage, (b) => b.includes(`${CANARY}-vulnerability`));
    await ana.sendText(world.rooms.triage, `!dsx audit ${vulnerability}`);
    const audit = await world.next(ana, world.rooms.triage, step("audit", vulnerability));
    expect(String(audit.getContent()["body"])).to.contain("vulnerability.extended");
    expect(String(audit.getContent()["body"])).not.to.contain(CANARY);
    await nowhereInPlain("after the restart under the new key");
  });
});
