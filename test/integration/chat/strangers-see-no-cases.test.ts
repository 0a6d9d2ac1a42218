import { expect } from "chai";
import { PEOPLE, type ChatWorld } from "../../support/chat/chat-world.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";

/**
 * Someone not party to a case gets one answer for it whether it is open, closed or was never
 * made, so that case numbers cannot be enumerated; a party still hears the precise answer.
 */
/** A member of the second provider in the world's directory, never offered the seeded ticket. */
const FAY = "@fay:example.org";

describe("a case one is not party to answers as one that does not exist", function () {
  this.timeout(60_000);
  let seeded: SeededCases;

  beforeEach(async () => {
    seeded = await seedCases();
  });
  afterEach(() => seeded.world.stop());

  /** The bodies of the bot's answers in the room `line` was said in. */
  async function answer(world: ChatWorld, roomId: string, sender: string, line: string) {
    return (await world.say(roomId, sender, line))
      .filter((queued) => queued.roomId === roomId)
      .map((queued) => queued.content.body.replace(/\b(INC|VUL|ALR)-\d{4}-\d{4}\b/g, "ID"));
  }

  /** What a stranger hears for an open, a closed and a never-made case: the same each time. */
  function expectSameAnswers(
    answers: readonly (readonly string[])[],
    caseKind: string,
    neutral = "I know of no case ID for you.",
  ) {
    const [first = [], ...rest] = answers;
    expect(first.join("\n")).to.contain(neutral, caseKind);
    for (const other of rest) expect(other, caseKind).to.deep.equal(first);
  }

  it("accept and decline: a provider not offered the ticket", async () => {
    const { world, ids } = seeded;
    const fay = world.dm(FAY);
    const asked: string[][] = [];
    for (const verb of ["accept", "decline"]) {
      asked.push(await answer(world, fay, FAY, `${verb} ${ids.INC}`));
      asked.push(await answer(world, fay, FAY, `${verb} INC-1999-0001`));
    }
    // Sam, who accepted it, is told precisely.
    const sam = await answer(world, world.dm(PEOPLE.sam), PEOPLE.sam, `accept ${ids.INC}`);
    expect(sam.join("\n")).to.contain("ID is not offered to you.");
    await world.say(world.triage, PEOPLE.ana, `!dsx close ${ids.INC} resolved after the test`);
    for (const verb of ["accept", "decline"])
      asked.push(await answer(world, fay, FAY, `${verb} ${ids.INC}`));
    expectSameAnswers(asked, "INC");
  });

  it("ack, need-time and fixed: someone who is not the affected party", async () => {
    const { world, ids } = seeded;
    const maria = world.dm(PEOPLE.maria);
    const lines = (id: string) => [`ack ${id}`, `need-time ${id} 5 testing`, `fixed ${id}`];
    const asked: string[][] = [];
    for (const line of [...lines(ids.VUL), ...lines("VUL-1999-0001")])
      asked.push(await answer(world, maria, PEOPLE.maria, line));
    const sam = world.dm(PEOPLE.sam);
    expect((await answer(world, sam, PEOPLE.sam, `fixed ${ids.VUL}`)).join("\n")).to.contain(
      "Thank you for fixing",
    );
    // Fixed, the case is finished: its party hears so, anyone else as before.
    expect((await answer(world, sam, PEOPLE.sam, `ack ${ids.VUL}`)).join("\n")).to.contain(
      "ID is already fixed or disclosed.",
    );
    for (const line of lines(ids.VUL)) asked.push(await answer(world, maria, PEOPLE.maria, line));
    expectSameAnswers(asked, "VUL");
  });

  it("the DSX team's approve and confirm in triage: someone not of the team", async () => {
    const { world, ids } = seeded;
    const asked: string[][] = [];
    for (const id of [ids.VUL, "VUL-1999-0001"])
      for (const verb of ["approve", "confirm"])
        asked.push(await answer(world, world.triage, PEOPLE.maria, `!dsx ${verb} ${id}`));
    // The command table keeps them to the DSX team: to others they are unknown commands.
    expectSameAnswers(asked.slice(0, 1), "VUL", "Sorry, I don't know the command approve.");
    expectSameAnswers(asked.slice(2, 3), "VUL", "Sorry, I don't know the command approve.");
    expectSameAnswers(
      [asked[1] ?? [], asked[3] ?? []],
      "VUL",
      "Sorry, I don't know the command confirm.",
    );
    // The DSX team hears precisely; maria's tries changed nothing.
    const ana = (line: string) => answer(world, world.triage, PEOPLE.ana, line);
    expect((await ana(`!dsx confirm ${ids.VUL}`)).join("\n")).to.contain(
      "ID is not waiting for a contact to be confirmed.",
    );
    expect((await ana(`!dsx approve ${ids.VUL}`)).join("\n")).to.contain("ID: text approved");
  });

  it("approve and refuse: someone who does not see the draft", async () => {
    const { world, ids, ticketRoom } = seeded;
    const pablo = world.dm(PEOPLE.pablo);
    const asked: string[][] = [];
    for (const id of [ids.ALR, "ALR-1999-0001"]) {
      asked.push(await answer(world, pablo, PEOPLE.pablo, `approve ${id}`));
      asked.push(await answer(world, pablo, PEOPLE.pablo, `refuse ${id}`));
    }
    await world.say(ticketRoom, PEOPLE.maria, `!dsx alert ${ids.ALR} withdraw`);
    // Maria, whose case it came from, hears that it was withdrawn.
    expect(
      (await answer(world, ticketRoom, PEOPLE.maria, `!dsx approve ${ids.ALR}`)).join("\n"),
    ).to.contain("it can no longer change");
    asked.push(await answer(world, pablo, PEOPLE.pablo, `approve ${ids.ALR}`));
    asked.push(await answer(world, pablo, PEOPLE.pablo, `refuse ${ids.ALR}`));
    expectSameAnswers(asked, "ALR");
  });
});
