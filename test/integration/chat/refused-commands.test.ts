import { expect } from "chai";
import type { RoomKind } from "../../../src/chat/context.js";
import { Directory } from "../../../src/config/directory.js";
import { seedCases, type SeededCases } from "../../support/chat/seeded-cases.js";
import { ROLES } from "../../support/docs/readme-permissions.js";

/** One role a person: what `allowed` refuses depends on the directory only. */
const DIRECTORY_ROLES = ROLES.filter(
  (role, i) => ROLES.findIndex((other) => other.userId === role.userId) === i,
);

/** A case number of any kind, as an answer must not show one to whom a command is refused. */
const CASE_ID = /\b(INC|VUL|COC|ALR)-\d{4}-\d{4}\b/;

/**
 * Every cell of README's permission table where a role may not use a command: said there by that
 * role, with a real case of the seeded world as argument, it answers as an unknown command does
 * (the room's help), in the room it was said in, naming no case and changing nothing.
 */
describe("a command refused by the permission table answers as an unknown one, revealing nothing", function () {
  this.timeout(120_000);
  let seeded: SeededCases;

  before(async () => {
    seeded = await seedCases();
  });
  after(() => seeded.world.stop());

  it("every role, every room kind, every command it may not use", async () => {
    const { world, ids, ticketRoom, reportRoom } = seeded;
    const directory = new Directory(world.config);
    const roomOf = (kind: RoomKind, sender: string): string | undefined =>
      ({
        direct: world.dm(sender),
        triage: world.config.rooms.triage,
        abuseTeam: world.config.rooms.abuseTeam,
        advisory: world.config.rooms.advisory,
        donors: world.config.rooms.donors,
        alerts: world.config.rooms.communityAlerts,
        ticket: ticketRoom,
        report: reportRoom,
        warning: undefined,
        other: undefined,
      })[kind];
    const argumentFor = (summary: string): string =>
      Object.entries(ids).find(([kind]) => summary.includes(`${kind}-`))?.[1] ?? ids.INC;
    const jobsBefore = await world.jobCount();
    let tried = 0;
    for (const command of world.commands()) {
      for (const kind of command.rooms) {
        for (const role of DIRECTORY_ROLES) {
          const roomId = roomOf(kind, role.userId);
          if (roomId === undefined) continue;
          const context = {
            inbound: { eventId: "$", roomId, sender: role.userId, roomKind: kind, text: "", ts: 0 },
            directory,
          } as Parameters<NonNullable<typeof command.allowed>>[0];
          if (command.allowed?.(context) ?? true) continue;
          const words = command.words.join(" ");
          const said = `${kind === "direct" ? "" : "!dsx "}${words} ${argumentFor(world.catalogText(command.summary))}`;
          const answers = await world.say(roomId, role.userId, said);
          const where = `${role.name} in ${kind}: ${said}`;
          expect(answers, where).to.have.length(1);
          const [answer] = answers;
          expect(answer?.roomId, where).to.equal(roomId);
          expect(answer?.content["org.dsx.tlp"], where).to.equal("WHITE");
          expect(answer?.content.body, where).to.contain(
            `Sorry, I don't know the command ${command.words[0] ?? ""}.`,
          );
          expect(answer?.content.body, where).to.not.match(CASE_ID);
          tried++;
        }
      }
    }
    // The table has refusals for each of the roles, and none of them scheduled anything.
    expect(tried).to.be.greaterThan(DIRECTORY_ROLES.length * 5);
    expect(await world.jobCount()).to.equal(jobsBefore);
  });
});
