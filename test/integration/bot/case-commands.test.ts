import { expect } from "chai";
import type { E2eeTestClient } from "../../support/clients/e2ee-client.js";
import { Catalog } from "../../../src/chat/catalog.js";
import type { Command } from "../../../src/chat/command.js";
import { renderText } from "../../../src/chat/render.js";
import type { RoomKind } from "../../../src/chat/context.js";
import { after, botStep, DsxWorld } from "../../support/bot/dsx-world.js";
import { mayUse } from "../../support/docs/permission-table.js";
import { commandTable, ROLES } from "../../support/docs/readme-permissions.js";

/** Case numbers of every kind, as an answer to someone not party must show none but theirs. */
const CASE_ID = /\b(INC|VUL|COC|ALR)-\d{4}-\d{4}\b/g;

/**
 * README's permission table, the cells about a case, tried with real clients: every role that is
 * not party to a case says each direct-message command about it, and the same about a case that
 * never existed, and gets the same answer for both (nothing tells them the case exists); the
 * parties then use the same commands, and they work.
 */
describe("case commands said by everyone who is not party to the case", function () {
  this.timeout(600_000);
  let world: DsxWorld;

  afterEach(async () => {
    await world.stop();
  });

  it("answer a real case and a made-up one alike, and work for its parties", async () => {
    world = await DsxWorld.create(["incidents: { offerTimeout: PT1H }"]);
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    const sam = await world.person("sam");
    // The affected party has Element open from the start: a device made after the notice was
    // sent could not read it (no key backup), on Synapse as in Element.
    const pablo = await world.person("pablo");

    // An incident of maria's offered to securelab (sam), and a vulnerability she found in
    // press-freedom's systems (pablo's).
    const incident = await world.reportIncident(maria, mariaDm, {
      description: "Heron-canary: a phishing wave",
      label: "AMBER",
    });
    await ana.sendText(world.rooms.triage, `!dsx assign ${incident} securelab`);
    const samDm = await sam.waitForInvite(world.botUserId, () => true, 60_000);
    await sam.joinRoom(samDm);
    await world.next(sam, samDm, botStep("offer", incident));
    const vulnerability = await world.reportVulnerability(maria, mariaDm, {
      description: "Heron-canary: an open admin page",
    });

    // Everyone else, each in their own direct room: the partner's colleague and affiliate, the
    // other provider, the advisory committee and the DSX team (who may use these commands only
    // as a party too).
    const others: [string, E2eeTestClient][] = [];
    for (const name of ["mario", "carla", "fay", "kim"])
      others.push([name, await world.person(name)]);
    others.push(["ana", ana]);
    const made = (id: string) => id.replace(/\d{4}$/, (n) => String((Number(n) + 5000) % 10000));
    const commands = [
      `accept ${incident}`,
      `decline ${incident} not ours`,
      `ack ${vulnerability}`,
      `fixed ${vulnerability}`,
      `need-time ${vulnerability} 5 a firmware`,
    ];
    // A stranger shares no DSX room with the bot: it turns down their direct room, and says
    // only what it is for.
    const eve = await world.person("eve");
    const eveRoom = await eve.createEncryptedRoom({
      invite: [world.botUserId],
      isDirect: true,
      preset: "trusted_private_chat",
    });
    await eve.waitForMemberState(eveRoom, world.botUserId, "leave", 60_000);
    const refusal = eve.client.getRoom(eveRoom)?.getMember(world.botUserId)?.events.member;
    expect(String(refusal?.getContent()["reason"])).to.contain("works only with the organisations");
    expect(String(refusal?.getContent()["reason"])).to.not.match(CASE_ID);
    for (const [name, person] of others) {
      const room = await world.directMessage(person);
      for (const command of commands) {
        const real = command.match(CASE_ID)?.[0] ?? "";
        const invented = made(real);
        await person.sendText(room, command);
        const toReal = (await world.next(person, room, () => true)).getContent();
        await person.sendText(room, command.replace(real, invented));
        const toInvented = (await world.next(person, room, () => true)).getContent();
        const where = `${name}: ${command}`;
        expect(String(toReal["body"]).replace(real, "<case>"), where).to.equal(
          String(toInvented["body"]).replace(invented, "<case>"),
        );
        expect(toReal["org.dsx.tlp"], where).to.equal("WHITE");
        expect(toReal["org.dsx.case"], where).to.equal(undefined);
        const named = [...String(toReal["body"]).matchAll(CASE_ID)].map((m) => m[0]);
        expect(
          named.filter((id) => id !== real),
          `${where}: other cases named`,
        ).to.deep.equal([]);
      }
    }

    // The shared rooms, with people the guard lets stay there: each says every command of the
    // room that the table refuses them, about a real case and a made-up one, and hears the
    // room's help for both.
    const table = await commandTable();
    const mario = others[0]?.[1];
    const kim = others[3]?.[1];
    const lee = await world.person("lee");
    if (mario === undefined || kim === undefined) throw new Error("the cast is incomplete");
    await world.addToRoom(ana, world.rooms.advisory, [kim]);
    await world.addToRoom(ana, world.rooms.abuseTeam, [lee]);
    await world.addToRoom(ana, world.rooms.communityAlerts, [mario]);
    const shared: [RoomKind, string, [E2eeTestClient, string][]][] = [
      ["triage", world.rooms.triage, [[ana, "DSX staff"]]],
      [
        "advisory",
        world.rooms.advisory,
        [
          [ana, "DSX staff"],
          [kim, "advisory"],
        ],
      ],
      [
        "abuseTeam",
        world.rooms.abuseTeam,
        [
          [ana, "DSX staff"],
          [lee, "abuse team"],
        ],
      ],
      [
        "alerts",
        world.rooms.communityAlerts,
        [
          [ana, "DSX staff"],
          [mario, "other partner"],
        ],
      ],
      ["donors", world.rooms.donors, [[ana, "DSX staff"]]],
    ];
    const catalog = Catalog.load();
    const caseFor = (command: Command) =>
      renderText(catalog, "en", { key: command.summary }).plain.includes("VUL-")
        ? vulnerability
        : incident;
    let refused = 0;
    for (const [kind, room, people] of shared) {
      for (const [person, roleName] of people) {
        const role = ROLES.find((r) => r.name === roleName);
        if (role === undefined) throw new Error(`no role ${roleName}`);
        for (const command of table.commands) {
          if (!command.rooms.includes(kind) || mayUse(command, kind, role, table.directory))
            continue;
          const real = caseFor(command);
          const bodies: string[] = [];
          for (const id of [real, made(real)]) {
            const said = await person.sendText(room, `!dsx ${command.words.join(" ")} ${id}`);
            const answer = await world.next(person, room, (_b, e) => after(person, said, e));
            bodies.push(String(answer.getContent()["body"]).replace(id, "<case>"));
          }
          const where = `${roleName} in ${kind}: ${command.words.join(" ")}`;
          expect(bodies[0], where).to.contain("Sorry, I don't know the command");
          expect(bodies[0], where).to.equal(bodies[1]);
          expect(bodies[0], where).to.not.match(CASE_ID);
          refused++;
        }
      }
    }
    expect(refused, "refused cells in shared rooms").to.be.greaterThan(1);

    // Nothing they said moved either case: the parties find them as they were, and act on them.
    await sam.sendText(samDm, `accept ${incident}`);
    await maria.waitForInvite(world.botUserId, (room) => room.name === incident, 60_000);
    const notice = await pablo.waitForInvite(world.botUserId, () => true, 60_000);
    await pablo.joinRoom(notice);
    await world.next(pablo, notice, botStep("notice", vulnerability));
    await pablo.sendText(notice, `ack ${vulnerability}`);
    await world.next(pablo, notice, (body) =>
      body.includes(`${vulnerability} is noted as acknowledged`),
    );
    expect(world.logs).to.not.contain("Heron-canary");
  });
});
