import { expect } from "chai";
import { Visibility } from "matrix-js-sdk";
import { DsxWorld, botStep } from "../../support/bot/dsx-world.js";

/**
 * The operator's first start: every configured room is checked, and what keeps one from its
 * work is said room by room, in the log and in triage (where labelled answers would otherwise
 * be refused later, one by one, with nobody knowing why).
 */
describe("configured rooms, checked at start", function () {
  this.timeout(120_000);
  let world: DsxWorld;

  beforeEach(async () => {
    world = await DsxWorld.create();
  });
  afterEach(async () => {
    await world.stop();
  });

  it("names each room that is unreachable, unencrypted, public, world-readable or published, and outsiders in triage", async () => {
    const ana = await world.dsxTeamMember();
    const plain = await ana.createRoom({
      name: "advisory, unencrypted",
      invite: [world.botUserId],
    });
    await world.useRoom("advisory", plain);
    await world.useRoom("abuseTeam", `#nowhere:${world.homeserver.serverName}`);
    const community = world.rooms.communityAlerts;
    await ana.client.sendStateEvent(
      community,
      "m.room.join_rules" as never,
      {
        join_rule: "public",
      } as never,
    );
    await ana.client.setRoomDirectoryVisibility(community, Visibility.Public);
    await ana.client.sendStateEvent(
      world.rooms.donors,
      "m.room.history_visibility" as never,
      {
        history_visibility: "world_readable",
      } as never,
    );
    // A partner in the triage room, which is the DSX team's.
    const pablo = await world.person("pablo");
    await ana.invite(world.rooms.triage, pablo.userId);
    await pablo.waitForMembership(world.rooms.triage, "invite", 30_000);
    await pablo.joinRoom(world.rooms.triage);
    const bot = await world.startBot();

    const said = await ana.waitForMessage(
      world.rooms.triage,
      world.fromBot(botStep("room-problems")),
      30_000,
    );
    const body = String(said.getContent()["body"]);
    for (const expected of [
      /abuseTeam \(#nowhere:[^)]+\): I cannot reach it/,
      /advisory \([^)]+\): not encrypted/,
      /communityAlerts \([^)]+\): anyone can join it/,
      /communityAlerts \([^)]+\): it is in the public room directory/,
      /donors \([^)]+\): anyone can read its history/,
      /triage \([^)]+\): 1 member\(s\) are not of the DSX team/,
    ])
      expect(body).to.match(expected);
    expect(body).to.not.match(/publicAlerts \(/);
    for (const reason of [
      "unreachable",
      "unencrypted",
      "public",
      "published",
      "world-readable",
      "outsiders",
    ])
      expect(bot.stdout).to.contain(`"reason":"${reason}"`);
  });

  it("says plainly in the log when the triage room itself is unreachable", async () => {
    await world.useRoom("triage", `#no-triage:${world.homeserver.serverName}`);
    const bot = await world.startBot();
    expect(bot.stdout).to.match(
      /"level":50,[^\n]*"key":"rooms.triage"[^\n]*"msg":"the triage room is unreachable/,
    );
  });
});
