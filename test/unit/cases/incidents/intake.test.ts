import { expect } from "chai";
import { ChatRouter } from "../../../../src/chat/router.js";
import { startDialogue } from "../../../../src/chat/dialogue.js";
import { incidentIntake, type IncidentReport } from "../../../../src/cases/incidents/intake.js";
import { DEFAULT_INCIDENT_TYPES } from "../../../../src/config/schema.js";
import { FakeChat } from "../../../support/chat/fake-context.js";

const MARIA = "@maria:example.org";

function setup() {
  const reports: IncidentReport[] = [];
  const dialogue = incidentIntake(
    () => DEFAULT_INCIDENT_TYPES,
    (_context, report) => {
      reports.push(report);
      return Promise.resolve();
    },
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
  return { reports, chat, say };
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
      },
    ]);
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
