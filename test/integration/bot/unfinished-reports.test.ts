import { expect } from "chai";
import { Attachment, AuditEntry, Conversation } from "../../../src/store/entities/index.js";
import { uploadEncryptedFile } from "../../support/clients/element-files.js";
import { botStep, DsxWorld } from "../../support/bot/dsx-world.js";

/**
 * A partner begins a report, sends a file, then stops answering: after
 * `policy.conversations.forgetAfter` the bot forgets the answers and the file and tells her,
 * across a restart, and a new report starts from the first question.
 */
describe("unfinished reports are forgotten", function () {
  this.timeout(300_000);
  let world: DsxWorld;

  afterEach(async () => {
    await world.stop();
  });

  it("forgets a report left half-way, its file too, tells the partner, and lets her start again", async () => {
    world = await DsxWorld.create([
      "policy:",
      "  undecryptable: { askToResendAfter: PT2S }",
      "  conversations: { forgetAfter: PT6S }",
    ]);
    await world.startBot();
    const maria = await world.person("maria");
    const dm = await world.directMessage(maria);
    const canary = "Okapi-canary-unfinished-9031";

    await maria.sendText(dm, "report incident");
    await world.answerPrompts(maria, dm, [
      ["type", "1"],
      ["description", `Someone copied our login page (${canary})`],
      ["measures", "nothing"],
    ]);
    await world.next(maria, dm, (_b, e) => e.getContent()["org.dsx.prompt"] === "files");
    const file = await uploadEncryptedFile(
      maria.client,
      Buffer.from(`headers ${canary}`),
      "headers.txt",
      "text/plain",
    );
    await maria.sendEvent(dm, "m.room.message", { ...file });
    await world.next(maria, dm, (body) => body.includes("headers.txt"));
    // She stops answering; the bot is killed and comes back meanwhile.
    await world.stopBot("SIGKILL");
    await world.startBot();

    const told = await world.next(maria, dm, botStep("forgotten"));
    expect(told.getContent()["org.dsx.tlp"]).to.equal("WHITE");
    expect(told.getContent()["body"]).to.contain("forgotten your answers");

    await world.stopBot();
    const left = await world.database(async (manager) => ({
      conversations: await manager.count(Conversation),
      files: await manager.count(Attachment),
      audited: await manager.countBy(AuditEntry, { action: "conversation.forgotten" }),
    }));
    expect(left).to.deep.equal({ conversations: 0, files: 0, audited: 1 });
    expect((await world.storedBytes()).includes(Buffer.from(canary))).to.equal(false);

    // Told once, and a new report begins at its first question.
    await world.startBot();
    await maria.sendText(dm, "report incident");
    await world.next(maria, dm, (_b, e) => e.getContent()["org.dsx.prompt"] === "type");
    const forgottenMessages = world
      .botMessages(maria, dm)
      .filter((e) => e.getContent()["org.dsx.step"] === "forgotten");
    expect(forgottenMessages).to.have.length(1);
  });
});
