import { expect } from "chai";
import type { Command } from "../../../src/chat/command.js";
import { Catalog } from "../../../src/chat/catalog.js";
import { renderText } from "../../../src/chat/render.js";
import type { Directory } from "../../../src/config/directory.js";
import { after, botStep, DsxWorld } from "../../support/bot/dsx-world.js";
import type { E2eeTestClient } from "../../support/clients/e2ee-client.js";
import { mayUse } from "../../support/docs/permission-table.js";
import { commandTable, ROLES } from "../../support/docs/readme-permissions.js";

/** What a ticket-room command answers someone of the room who is not its party to use it. */
const REFUSALS = [
  "ticket.notParticipant",
  "ticket.assistAsk",
  "ticket.closeNotAllowed",
  "alert.notAllowed",
  "warning.notAllowed",
];

/** Case numbers of every kind. */
const CASE_ID = /\b(INC|VUL|COC|ALR)-\d{4}-\d{4}\b/g;

/**
 * README's permission table, its ticket-room cells about the case, tried with real clients in a
 * real AMBER ticket: each person in the room, by their side of the case, says each of the room's
 * commands; those the table allows get the command's own answer, the others one of the refusals,
 * which names no other case and changes nothing. `approve`/`refuse` are left to the alert tests:
 * without a draft waiting, everyone hears the same "name the draft".
 */
describe("ticket-room commands said by each side of the case", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  let commands: readonly Command[];
  let directory: Directory;

  before(async () => {
    ({ commands, directory } = await commandTable());
  });

  afterEach(async () => {
    await world.stop();
  });

  it("answer as the table says, and refuse the others alike", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const maria = await world.person("maria");
    const sam = await world.person("sam");
    const carla = await world.person("carla");
    const { caseId, roomId } = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "AMBER",
      description: "Okapi-canary: phishing against the office",
    });

    // Carla comes in at the reporter's word; before she joins, the homeserver refuses what she
    // says there.
    await maria.sendText(roomId, `!dsx invite ${carla.userId}`);
    await world.next(maria, roomId, botStep("invite", caseId));
    await carla.waitForInvite(world.botUserId, (room) => room.roomId === roomId, 60_000);
    const early = await fetch(
      `${carla.client.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/early`,
      {
        method: "PUT",
        headers: { authorization: `Bearer ${carla.client.getAccessToken() ?? ""}` },
        body: JSON.stringify({ msgtype: "m.text", body: "!dsx status" }),
      },
    );
    expect(early.status, "an invited person's message before joining").to.equal(403);
    await carla.joinRoom(roomId);
    await world.next(carla, roomId, botStep("summary", caseId));
    // The DSX team comes in as the reporter asks.
    await maria.sendText(roomId, "!dsx assist");
    await world.next(maria, roomId, botStep("assist", caseId));
    await ana.waitForInvite(world.botUserId, (room) => room.roomId === roomId, 60_000);
    await ana.joinRoom(roomId);
    await world.next(ana, roomId, botStep("summary", caseId));
    // Nobody else can be in the room: only the bot may invite there.
    const mario = await world.person("mario");
    for (const [who, inviter] of [
      ["mario himself", mario],
      ["a participant", maria],
    ] as const) {
      const status = await inviter.client.invite(roomId, mario.userId).then(
        () => 200,
        (error: unknown) => (error as { httpStatus?: number }).httpStatus,
      );
      expect(status, `${who} inviting mario`).to.equal(403);
    }

    const cast: readonly [string, E2eeTestClient][] = [
      ["partner of the case", maria],
      ["provider of the case", sam],
      ["invited in", carla],
      ["DSX staff", ana],
    ];
    const catalog = Catalog.load();
    const refusals = REFUSALS.map(
      (key) => renderText(catalog, "en", { key, params: { caseId } }).plain,
    );
    // Harmless words of each command: its own answer (a usage line, the state) for its parties.
    const probes: Record<string, string> = {
      status: "!dsx status",
      assist: "!dsx assist",
      invite: "!dsx invite",
      tlp: "!dsx tlp",
      alert: "!dsx alert",
      "warn-partner": `!dsx warn-partner ${caseId} nobody-org a warning`,
      close: "!dsx close resolved",
    };
    let allowed = 0;
    let refused = 0;
    for (const command of commands) {
      const sides = command.parties?.["ticket"];
      const word = command.words[0] ?? "";
      if (sides === undefined || !command.rooms.includes("ticket")) continue;
      if (word === "approve" || word === "refuse") continue;
      const probe = probes[word];
      expect(probe, `a probe for ${word}`).to.be.a("string");
      for (const [roleName, person] of cast) {
        const role = ROLES.find((r) => r.name === roleName);
        if (role === undefined) throw new Error(`no role ${roleName}`);
        const may = mayUse(command, "ticket", role, directory);
        // Closing ends the case: the table's "yes" for it is shown last, once.
        if (word === "close" && may) continue;
        const said = await person.sendText(roomId, probe ?? "");
        const reply = await world.next(person, roomId, (_b, e) => after(person, said, e));
        const answer = String(reply.getContent()["body"]);
        const where = `${roleName}: ${probe}`;
        const isRefusal = refusals.some((text) => answer.includes(text));
        expect(
          isRefusal,
          `${where}: ${may ? "allowed" : "refused"}, answered "${answer}"`,
        ).to.equal(!may);
        const named = [...answer.matchAll(CASE_ID)].map((m) => m[0]);
        expect(
          named.filter((id) => id !== caseId),
          `${where}: other cases named`,
        ).to.deep.equal([]);
        if (may) allowed++;
        else refused++;
      }
    }
    expect(allowed).to.be.greaterThan(5);
    expect(refused).to.be.greaterThan(5);

    // Nothing the refused said moved the ticket: still AMBER and open, and its partner closes it.
    const asked = await ana.sendText(world.rooms.triage, `!dsx ticket ${caseId}`);
    const shown = await world.next(ana, world.rooms.triage, (_b, e) => after(ana, asked, e));
    expect(String(shown.getContent()["body"])).to.contain("AMBER");
    await maria.sendText(roomId, "!dsx close resolved");
    await world.next(maria, roomId, botStep("closed", caseId));
    expect(world.logs).to.not.contain("Okapi-canary");
  });
});
