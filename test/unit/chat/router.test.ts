import { expect } from "chai";
import { ChatRouter } from "../../../src/chat/router.js";
import type { Dialogue } from "../../../src/chat/dialogue.js";
import { verbatim } from "../../../src/chat/render.js";
import { FakeChat } from "../../support/chat/fake-context.js";

const MARIA = "@maria:example.org";

/** A two-question dialogue standing in for the intakes the workflows define. */
function petDialogue(completed: Record<string, unknown>[]): Dialogue {
  return {
    kind: "pet",
    fields: [
      {
        name: "name",
        question: () => verbatim("What is its name?"),
        parse: (_c, text) =>
          text.trim() ? { value: text.trim() } : { problem: verbatim("A name, please.") },
      },
      {
        name: "legs",
        question: () => verbatim("How many legs?"),
        parse: (_c, text) =>
          /^\d+$/.test(text.trim())
            ? { value: Number(text) }
            : { problem: verbatim("A number, please.") },
      },
      {
        name: "wings",
        question: () => verbatim("Can it fly?"),
        parse: (_c, text) => ({ value: text.trim() === "yes" }),
        skip: (answers) => answers["legs"] !== 2,
      },
    ],
    summaryLabel: () => "RED",
    summary: (_c, answers) =>
      verbatim(`Pet ${String(answers["name"])} with ${String(answers["legs"])} legs`),
    complete: (context, answers) => {
      completed.push(answers);
      context.reply({ label: "WHITE", text: verbatim("Saved.") });
      return Promise.resolve();
    },
  };
}

function routerWith(completed: Record<string, unknown>[]): ChatRouter {
  const dialogue = petDialogue(completed);
  return new ChatRouter([
    {
      dialogues: [dialogue],
      commands: [
        {
          words: ["report", "pet"],
          rooms: ["direct"],
          summary: "command.help",
          run: async (context) =>
            (await import("../../../src/chat/dialogue.js")).startDialogue(context, dialogue),
        },
      ],
    },
  ]);
}

describe("chat/router", () => {
  it("answers help in a direct message with the commands of direct messages", async () => {
    const chat = new FakeChat();
    await routerWith([]).handle(chat.context(MARIA, "help"));
    const [reply] = chat.take();
    expect(reply?.label).to.equal("WHITE");
    expect(reply?.text.plain).to.contain("Here is what you can ask me:");
    for (const word of ["help", "status", "cancel", "language"])
      expect(reply?.text.plain).to.contain(`\`${word}`);
    expect(reply?.text.html).to.contain("<ul><li>");
  });

  it("needs !dsx outside direct messages and ignores other talk there", async () => {
    const chat = new FakeChat();
    const router = routerWith([]);
    await router.handle(chat.context("@ana:example.org", "help", "triage"));
    expect(chat.take()).to.deep.equal([]);
    await router.handle(chat.context("@ana:example.org", "!DSX help", "triage"));
    const [reply] = chat.take();
    expect(reply?.text.plain).to.contain("start commands with `!dsx`");
    expect(reply?.text.plain).to.not.contain("`language");
  });

  it("answers an unknown command with a short help", async () => {
    const chat = new FakeChat();
    await routerWith([]).handle(chat.context(MARIA, "frobnicate the thing"));
    const [reply] = chat.take();
    expect(reply?.text.plain).to.match(/^Sorry, I don't know the command frobnicate\./);
    await routerWith([]).handle(chat.context(MARIA, "!dsx"));
    expect(chat.take()[0]?.text.plain).to.match(/^Here is what you can ask me:/);
  });

  it("switches language, and refuses one it does not speak", async () => {
    const chat = new FakeChat();
    const router = routerWith([]);
    await router.handle(chat.context(MARIA, "language es"));
    expect(chat.take()[0]?.text.plain).to.equal("Desde ahora te responderé en español.");
    await router.handle(chat.context(MARIA, "status"));
    expect(chat.take()[0]?.text.plain).to.equal("No tienes casos abiertos.");
    await router.handle(chat.context(MARIA, "language klingon"));
    expect(chat.take()[0]?.text.plain).to.equal(
      "Todavía no hablo klingon. Puedo responder en: en, es.",
    );
  });

  it("walks a dialogue, re-asks on a bad answer, skips what does not apply, and lets answers be changed", async () => {
    const completed: Record<string, unknown>[] = [];
    const chat = new FakeChat();
    const router = routerWith(completed);
    const say = async (text: string) => {
      await router.handle(chat.context(MARIA, text));
      return chat.take();
    };
    expect((await say("report pet")).map((m) => [m.prompt, m.text.plain])).to.deep.equal([
      ["name", "What is its name?"],
    ]);
    expect((await say("Rex")).map((m) => m.prompt)).to.deep.equal(["legs"]);
    const retry = await say("four");
    expect(retry.map((m) => [m.prompt, m.text.plain])).to.deep.equal([
      ["legs", "A number, please.\nHow many legs?"],
    ]);
    const summary = await say("4");
    expect(summary[0]?.prompt).to.equal("confirm");
    expect(summary[0]?.label).to.equal("RED");
    expect(summary[0]?.privateTo).to.equal(MARIA);
    expect(summary[0]?.text.plain).to.contain("Pet Rex with 4 legs");
    expect(summary[0]?.text.plain).to.contain("`name`, `legs`.");
    expect((await say("change legs")).map((m) => m.prompt)).to.deep.equal(["legs"]);
    // Two legs: the question about wings now applies, and is asked before the summary.
    expect((await say("2")).map((m) => m.prompt)).to.deep.equal(["wings"]);
    expect((await say("no")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    expect((await say("change wings")).map((m) => m.prompt)).to.deep.equal(["wings"]);
    expect((await say("yes")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    // Back to four legs: wings no longer apply and are not kept.
    expect((await say("change legs")).map((m) => m.prompt)).to.deep.equal(["legs"]);
    expect((await say("4")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    expect((await say("change legs")).map((m) => m.prompt)).to.deep.equal(["legs"]);
    expect((await say("2")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    expect((await say("maybe")).map((m) => m.prompt)).to.deep.equal(["confirm"]);
    expect((await say("yes")).map((m) => m.text.plain)).to.deep.equal(["Saved."]);
    expect(completed).to.deep.equal([{ name: "Rex", legs: 2, wings: true }]);
    expect(chat.conversations.size).to.equal(0);
  });

  it("continues a dialogue with a new router, as after a restart", async () => {
    const completed: Record<string, unknown>[] = [];
    const chat = new FakeChat();
    await routerWith(completed).handle(chat.context(MARIA, "report pet"));
    await routerWith(completed).handle(chat.context(MARIA, "Rex"));
    chat.take();
    await routerWith(completed).handle(chat.context(MARIA, "3"));
    expect(chat.take()[0]?.prompt).to.equal("confirm");
  });

  it("cancel drops the dialogue and its answers; no drops it at the summary", async () => {
    const chat = new FakeChat();
    const router = routerWith([]);
    await router.handle(chat.context(MARIA, "report pet"));
    await router.handle(chat.context(MARIA, "Rex"));
    chat.take();
    await router.handle(chat.context(MARIA, "CANCEL"));
    expect(chat.take()[0]?.text.plain).to.equal("Stopped. I've forgotten the answers you gave.");
    expect(chat.conversations.size).to.equal(0);
    await router.handle(chat.context(MARIA, "cancel"));
    expect(chat.take()[0]?.text.plain).to.equal("There is nothing to cancel.");
    await router.handle(chat.context(MARIA, "report pet"));
    await router.handle(chat.context(MARIA, "Rex"));
    await router.handle(chat.context(MARIA, "4"));
    chat.take();
    await router.handle(chat.context(MARIA, "no"));
    expect(chat.take()[0]?.text.plain).to.equal("Dropped. I've forgotten your answers.");
    expect(chat.conversations.size).to.equal(0);
  });

  it("keeps conversations of different people and rooms apart", async () => {
    const chat = new FakeChat();
    const router = routerWith([]);
    await router.handle(chat.context(MARIA, "report pet"));
    await router.handle(chat.context("@sam:example.org", "Rex"));
    expect(chat.take().map((m) => m.prompt)).to.deep.equal(["name", undefined]);
  });
});
