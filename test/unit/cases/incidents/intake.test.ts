import { expect } from "chai";
import { ChatRouter } from "../../../../src/chat/router.js";
import { startDialogue } from "../../../../src/chat/dialogue.js";
import { incidentIntake, type IncidentReport } from "../../../../src/cases/incidents/intake.js";
import { DEFAULT_INCIDENT_TYPES } from "../../../../src/config/schema.js";
import type { ReceivedFile } from "../../../../src/chat/received-file.js";
import type { NewAttachment } from "../../../../src/store/attachment-store.js";
import { FakeChat } from "../../../support/chat/fake-context.js";

const MARIA = "@maria:example.org";

/** Files kept aside as the attachment store would (in memory), by draft key. */
class FakeFileStore {
  readonly kept = new Map<number, { key: string; name: string }>();
  private next = 1;
  add(_manager: unknown, key: string, file: NewAttachment) {
    const id = this.next++;
    this.kept.set(id, { key, name: file.name });
    return Promise.resolve({ id, name: file.name, size: file.bytes.length });
  }
  discard(_manager: unknown, key: string) {
    for (const [id, file] of this.kept) if (file.key === key) this.kept.delete(id);
    return Promise.resolve();
  }
}

function setup() {
  const reports: IncidentReport[] = [];
  const files = new FakeFileStore();
  const dialogue = incidentIntake(
    () => DEFAULT_INCIDENT_TYPES,
    (_context, report) => {
      reports.push(report);
      return Promise.resolve();
    },
    { store: files, maxFiles: () => 2 },
  );
  const router = new ChatRouter([
    {
      dialogues: [dialogue],
      commands: [
        {
          words: ["report", "incident"],
          rooms: ["direct"],
          summary: "incident.command",
          run: (c) => startDialogue(c, dialogue),
        },
      ],
    },
  ]);
  const chat = new FakeChat();
  const say = async (text: string) => {
    await router.handle(chat.context(MARIA, text));
    return chat.take();
  };
  const send = async (file: ReceivedFile) => {
    const taken = await router.handleFile(chat.context(MARIA, ""), file);
    return { taken, replies: chat.take() };
  };
  return { reports, chat, say, send, files, router };
}

describe("cases/incidents intake", () => {
  it("asks the design's questions in order and hands over a typed report", async () => {
    const { reports, say } = setup();
    const first = await say("report incident");
    expect(first[0]?.prompt).to.equal("type");
    expect(first[0]?.text.plain).to.contain("1. Account compromise");
    expect(first[0]?.text.plain).to.contain(`${DEFAULT_INCIDENT_TYPES.length}. Something else`);
    expect((await say("0")).map((m) => m.text.plain)[0]).to.match(
      /^Please answer with one of the numbers, from 1 to 9/,
    );
    expect((await say("2")).map((m) => m.prompt)).to.deep.equal(["description"]);
    expect((await say("   ")).map((m) => m.prompt)).to.deep.equal(["description"]);
    expect((await say("A fake login page for our webmail")).map((m) => m.prompt)).to.deep.equal([
      "measures",
    ]);
    expect((await say("Changed two passwords")).map((m) => m.prompt)).to.deep.equal(["files"]);
    expect((await say("here is a file")).map((m) => m.prompt)).to.deep.equal(["files"]);
    expect((await say("done")).map((m) => m.prompt)).to.deep.equal(["urgency"]);
    expect((await say("very")).map((m) => m.prompt)).to.deep.equal(["urgency"]);
    const tlp = await say("HIGH");
    expect(tlp[0]?.prompt).to.equal("tlp");
    expect(tlp[0]?.text.plain).to.contain("RED");
    expect((await say("purple")).map((m) => m.prompt)).to.deep.equal(["tlp"]);
    expect((await say("tlp:red")).map((m) => m.prompt)).to.deep.equal(["consent"]);
    expect((await say("maybe")).map((m) => m.prompt)).to.deep.equal(["consent"]);
    const summary = await say("yes");
    expect(summary[0]?.prompt).to.equal("confirm");
    expect(summary[0]?.label).to.equal("RED");
    expect(summary[0]?.privateTo).to.equal(MARIA);
    expect(summary[0]?.text.plain).to.contain("A fake login page for our webmail");
    expect(summary[0]?.text.plain).to.contain("TLP:RED");
    expect((await say("change tlp")).map((m) => m.prompt)).to.deep.equal(["tlp"]);
    expect((await say("default")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    expect(await say("yes")).to.deep.equal([]);
    expect(reports).to.deep.equal([
      {
        type: "phishing",
        description: "A fake login page for our webmail",
        measures: "Changed two passwords",
        urgency: "high",
        label: "AMBER",
        consent: true,
        files: [],
      },
    ]);
  });

  const file = (name: string): ReceivedFile => ({
    ok: true,
    name,
    mimetype: "text/plain",
    bytes: Buffer.from(`contents of ${name}`),
  });

  it("takes files only at the files question, up to the limit, and lists them in the summary", async () => {
    const { say, send, reports, files, chat, router } = setup();
    expect((await send(file("early.txt"))).taken, "no conversation yet").to.equal(false);
    await say("report incident");
    await say("2");
    expect((await send(file("early.txt"))).taken, "not at the files question").to.equal(false);
    await say("A fake login page");
    await say("nothing");
    const first = await send(file("headers.eml"));
    expect(first.taken).to.equal(true);
    expect(first.replies[0]?.prompt).to.equal("files");
    expect(first.replies[0]?.text.plain).to.contain("Got headers.eml");
    const unencrypted = await send({ ok: false, reason: "unencrypted" });
    expect(unencrypted.replies[0]?.text.plain).to.contain("not end-to-end encrypted");
    const tooLarge = await send({ ok: false, reason: "too-large" });
    expect(tooLarge.replies[0]?.text.plain).to.contain("larger than I can take");
    await send(file("screenshot.png"));
    const third = await send(file("third.txt"));
    expect(third.replies[0]?.text.plain).to.contain("more files than I can keep");
    expect([...files.kept.values()].map((f) => f.name)).to.deep.equal([
      "headers.eml",
      "screenshot.png",
    ]);
    // The draft key says nothing of who sent the files.
    const key = [...files.kept.values()][0]?.key ?? "";
    expect(key).to.match(/^DRAFT-[0-9a-f]{24}$/);
    expect(key).to.not.contain("maria");
    expect(router.takesFiles(await chat.context(MARIA, "").conversations.get())).to.equal(true);
    await say("done");
    await say("low");
    await say("amber");
    const summary = await say("yes");
    expect(summary[0]?.text.plain).to.contain("2 (headers.eml, screenshot.png)");
    await say("yes");
    expect(reports[0]?.files).to.deep.equal([...files.kept.keys()]);
  });

  it("forgets the files of a report that is cancelled or declined at the summary", async () => {
    const { say, send, files } = setup();
    await say("report incident");
    for (const answer of ["1", "Someone read my mail", "nothing"]) await say(answer);
    await send(file("one.txt"));
    expect(files.kept.size).to.equal(1);
    await say("cancel");
    expect(files.kept.size).to.equal(0);

    await say("report incident");
    for (const answer of ["1", "Someone read my mail", "nothing"]) await say(answer);
    await send(file("two.txt"));
    for (const answer of ["done", "low", "red", "no"]) await say(answer);
    await say("no");
    expect(files.kept.size).to.equal(0);
  });

  it("refuses an answer longer than the limit and asks again", async () => {
    const { say } = setup();
    await say("report incident");
    await say("1");
    const reply = await say("x".repeat(9000));
    expect(reply[0]?.prompt).to.equal("description");
    expect(reply[0]?.text.plain).to.contain("too long");
  });

  it("speaks Spanish to a partner who chose it, and accepts sí", async () => {
    const { chat, say, reports } = setup();
    chat.languages.set(MARIA, "es");
    const first = await say("report incident");
    expect(first[0]?.text.plain).to.contain("1. Cuenta comprometida");
    for (const answer of [
      "1",
      "Alguien entró en mi correo",
      "nada",
      "listo",
      "critical",
      "AMBER+STRICT",
      "sí",
    ])
      await say(answer);
    await say("sí");
    expect(reports[0]).to.include({
      type: "account-compromise",
      label: "AMBER+STRICT",
      urgency: "critical",
      consent: true,
    });
  });
});
