import { expect } from "chai";
import { HandledEvent } from "../../../src/store/entities/handled-event.js";
import { uploadEncryptedFile } from "../../support/clients/element-files.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

describe("stopping the bot with SIGTERM", function () {
  this.timeout(180_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create();
  });
  afterEach(async () => {
    await world.stop();
  });

  it("finishes the event in hand, exits 0 saying it stopped, and its reply arrives exactly once", async function () {
    needsTestHomeserver(this, "injects homeserver faults");
    const bot = await world.startBot();
    const maria = await world.person("maria");
    const room = await world.directMessage(maria);
    const prompt = (name: string) =>
      world.next(maria, room, (_b, e) => e.getContent()["org.dsx.prompt"] === name);
    await maria.sendText(room, "report incident");
    await world.answerPrompts(maria, room, [
      ["type", "1"],
      ["description", "A fake login page"],
      ["measures", "nothing"],
    ]);
    await prompt("files");

    // The bot is in the middle of the file's event: its download is held by the homeserver.
    world.testHomeserver.faults.set({ holdPaths: "/media/download/" });
    const held = world.testHomeserver.faults.held();
    const content = await uploadEncryptedFile(
      maria.client,
      new TextEncoder().encode("headers of the phishing mail"),
      "phish-headers.txt",
      "text/plain",
    );
    const fileEventId = await maria.sendEvent(room, "m.room.message", { ...content });
    await held;
    bot.child.kill("SIGTERM");
    await bot.waitForLine(/"msg":"shutting down"/);
    world.testHomeserver.faults.clear();
    const result = await bot.exited;
    world.bot = undefined;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/"msg":"stopped"/);
    expect(result.stdout).to.not.match(/"level":(50|60)/); // no error or fatal line

    // The event was recorded as handled, with its reply (sent, or pending for the next start).
    const handled = await world.database((manager) =>
      manager.countBy(HandledEvent, { eventId: fileEventId }),
    );
    expect(handled).to.equal(1);

    await world.startBot();
    await world.next(maria, room, (body) => body.includes("Got phish-headers.txt"));
    // Messages of a room go out in order: once the next question is here, a repeat would be too.
    await maria.sendText(room, "done");
    await prompt("urgency");
    const gotMessages = world
      .botMessages(maria, room)
      .filter((e) => String(e.getContent()["body"]).includes("Got phish-headers.txt"));
    expect(gotMessages).to.have.length(1);
  });
});
