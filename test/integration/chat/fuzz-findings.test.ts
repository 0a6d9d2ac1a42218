import { expect } from "chai";
import { Vulnerability } from "../../../src/store/entities/vulnerability.js";
import { PEOPLE } from "../../support/chat/chat-world.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";

/** What the fuzz tests found, each as the example that showed it. */
describe("fuzz findings, as examples", function () {
  this.timeout(30_000);
  let seeded: SeededCases;
  beforeEach(async () => {
    seeded = await seedCases();
  });
  afterEach(() => seeded.world.stop());

  it("!dsx extend by more than a year is refused with the usage, and the deadline stays (it threw past year 275760)", async () => {
    const { world, ids } = seeded;
    const discloseAt = async () =>
      (await world.dataSource.manager.findOneByOrFail(Vulnerability, { caseId: ids.VUL }))
        .discloseAt;
    const before = await discloseAt();
    for (const length of ["P797332D", "P366D"]) {
      const said = await world.say(
        world.triage,
        PEOPLE.ana,
        `!dsx extend ${ids.VUL} ${length} waiting`,
      );
      expect(said.map((m) => m.content.body)).to.deep.equal([
        "[TLP:WHITE] Please write `!dsx extend VUL-… <duration> <reason>`, e.g. `!dsx extend VUL-2026-0001 P7D waiting for the vendor`; at most P365D.",
      ]);
    }
    expect(await discloseAt()).to.equal(before);
    const year = await world.say(world.triage, PEOPLE.ana, `!dsx extend ${ids.VUL} P365D waiting`);
    expect(year.map((m) => m.content["org.dsx.step"])).to.include("extended");
    expect(await discloseAt()).to.equal(before + 365 * 86_400_000);
  });

  it("an edit is not read as a new message: in a report it answers no question, elsewhere it runs no command", async () => {
    const { world } = seeded;
    const room = world.dm(PEOPLE.maria);
    await world.say(room, PEOPLE.maria, "report incident");
    await world.say(room, PEOPLE.maria, "1");
    const asked = await world.say(room, PEOPLE.maria, "A fake login page");
    expect(asked.map((m) => m.content["org.dsx.prompt"])).to.deep.equal(["measures"]);
    const edit = (body: string) => ({
      msgtype: "m.text",
      body: `* ${body}`,
      "m.new_content": { msgtype: "m.text", body },
      "m.relates_to": { rel_type: "m.replace", event_id: "$earlier" },
    });
    const answer = await world.event(room, PEOPLE.maria, edit("A fake login page for webmail"));
    expect(answer.map((m) => [m.content["org.dsx.prompt"], m.content.body])).to.deep.equal([
      [
        undefined,
        "[TLP:WHITE] I don't read edited messages, so I did not take that change. Please send it again as a new message (before a report is sent you can also write change and the question's name).",
      ],
    ]);
    const next = await world.say(room, PEOPLE.maria, "nothing");
    expect(next.map((m) => m.content["org.dsx.prompt"])).to.deep.equal(["files"]);
    expect(await world.event(world.triage, PEOPLE.ana, edit("!dsx tickets"))).to.deep.equal([]);
  });

  it("a user ID longer than the spec's 255 characters is refused, not stored (PostgreSQL refused the sanction row)", async () => {
    const { world, reportRoom } = seeded;
    const long = `@${"a".repeat(250)}:example.org`;
    const said = await world.say(reportRoom, PEOPLE.lee, `!dsx warn ${long} stop it`);
    expect(said.map((m) => m.content.body)).to.deep.equal([
      "[TLP:WHITE] " + world.catalogText("conduct.warnUsage"),
    ]);
    const asked = await world.say(world.dm(PEOPLE.pablo), PEOPLE.pablo, "report vulnerability");
    expect(asked.at(-1)?.content["org.dsx.prompt"]).to.equal("affected");
    const again = await world.say(world.dm(PEOPLE.pablo), PEOPLE.pablo, long);
    expect(again.at(-1)?.content["org.dsx.prompt"]).to.equal("affected");
  });
});
