import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { MatrixEvent, Visibility } from "matrix-js-sdk";
import { openDatabase } from "../../../src/store/data-source.js";
import { AuditEntry } from "../../../src/store/entities/index.js";
import type { E2eeTestClient } from "../../support/clients/index.js";
import { DsxWorld } from "../../support/bot/dsx-world.js";
import { needsTestHomeserver } from "../../support/synapse/needs-test-homeserver.js";

const WAIT = 60_000;

/**
 * The Traffic Light Protocol against people and servers that do not cooperate: outsiders forced
 * into ticket rooms, invitations of the wrong people, labels lowered by the wrong person, and
 * GREEN messages to rooms that became public.
 */
describe("TLP guard: ticket rooms hold only their audience", function () {
  this.timeout(300_000);
  let world: DsxWorld;
  let ana: E2eeTestClient;
  let maria: E2eeTestClient;
  let sam: E2eeTestClient;
  let mariaDm: string;
  /** Sam's direct room with the bot, once the first offer made it. */
  let samDm: string | undefined;

  beforeEach(async () => {
    world = await DsxWorld.create();
    await world.startBot();
    ana = await world.dsxTeamMember();
    maria = await world.person("maria");
    sam = await world.person("sam");
    mariaDm = await world.directMessage(maria);
    samDm = undefined;
  });
  afterEach(async () => {
    await world.stop();
  });

  const fromBot = (predicate: (body: string, event: MatrixEvent) => boolean) =>
    world.fromBot(predicate);
  const step = (name: string) => fromBot((_b, e) => e.getContent()["org.dsx.step"] === name);
  const botSaid = (person: E2eeTestClient, room: string, test: (body: string) => boolean) =>
    world.botSaid(person, room, test);

  /** Events of Maria's direct room that earlier reports produced: the waits skip them. */
  const answered = new Set<string>();

  async function answer(prompt: string, text: string): Promise<void> {
    const asked = await maria.waitForMessage(
      mariaDm,
      fromBot(
        (_b, e) => e.getContent()["org.dsx.prompt"] === prompt && !answered.has(e.getId() ?? ""),
      ),
      WAIT,
    );
    answered.add(asked.getId() ?? "");
    await maria.sendText(mariaDm, text);
  }

  /** Maria reports, triage assigns securelab, sam accepts, both join: the ticket room. */
  async function ticketRoom(label: string): Promise<{ caseId: string; roomId: string }> {
    await maria.sendText(mariaDm, "report incident");
    await answer("type", "1");
    await answer("description", "Ocelot-canary: our shared mailbox was taken over");
    await answer("measures", "nothing");
    await answer("files", "done");
    await answer("urgency", "high");
    await answer("tlp", label);
    await answer("consent", "yes");
    await answer("confirm", "yes");
    const received = await maria.waitForMessage(
      mariaDm,
      fromBot(
        (_b, e) => e.getContent()["org.dsx.step"] === "received" && !answered.has(e.getId() ?? ""),
      ),
      WAIT,
    );
    answered.add(received.getId() ?? "");
    const caseId = String(received.getContent()["org.dsx.case"]);
    await ana.sendText(world.rooms.triage, `!dsx assign ${caseId} securelab`);
    if (samDm === undefined) {
      samDm = await sam.waitForInvite(world.botUserId, () => true, WAIT);
      await sam.joinRoom(samDm);
    }
    await sam.waitForMessage(
      samDm,
      fromBot(
        (_b, e) =>
          e.getContent()["org.dsx.step"] === "offer" && e.getContent()["org.dsx.case"] === caseId,
      ),
      WAIT,
    );
    await sam.sendText(samDm, `accept ${caseId}`);
    const roomId = await maria.waitForInvite(world.botUserId, (r) => r.name === caseId, WAIT);
    await maria.joinRoom(roomId);
    await sam.waitForInvite(world.botUserId, (r) => r.roomId === roomId, WAIT);
    await sam.joinRoom(roomId);
    await maria.waitForMessage(roomId, step("summary"), WAIT);
    return { caseId, roomId };
  }

  /** Whether `person`'s device can decrypt an event, read raw from the homeserver. */
  async function canDecrypt(person: E2eeTestClient, roomId: string, eventId: string) {
    const raw = world.testHomeserver.room(roomId)?.timeline.find((e) => e["event_id"] === eventId);
    if (raw === undefined) throw new Error(`no event ${eventId}`);
    const event = new MatrixEvent(structuredClone(raw));
    await person.client.decryptEventIfNeeded(event);
    return !event.isDecryptionFailure() && event.getClearContent() !== null;
  }

  it("removes an outsider a server forced into a RED ticket room; later messages stay unreadable to them", async function () {
    needsTestHomeserver(
      this,
      "forces a join as a compromised server would; reads the homeserver's rooms directly",
    );
    const { roomId } = await ticketRoom("RED");
    const pablo = await world.person("pablo");
    world.testHomeserver.forceJoin(roomId, pablo.userId);
    await maria.waitForMemberState(roomId, pablo.userId, "join", WAIT);
    await maria.waitForMemberState(roomId, pablo.userId, "leave", WAIT);
    const removed = await maria.waitForMessage(roomId, step("removed"), WAIT);
    expect(removed.getContent()["body"]).to.contain(pablo.userId).and.to.contain("TLP:RED");

    const said = await maria.sendText(roomId, "The attacker also has our backup codes");
    await sam.waitForMessage(roomId, "The attacker also has our backup codes", WAIT);
    expect(await canDecrypt(sam, roomId, said), "a participant reads it").to.equal(true);
    expect(await canDecrypt(pablo, roomId, said), "the outsider cannot").to.equal(false);
    await sam.sendText(roomId, "!dsx status");
    const next = await sam.waitForMessage(roomId, step("status"), WAIT);
    expect(await canDecrypt(pablo, roomId, next.getId() ?? ""), "nor the bot's").to.equal(false);
    expect(await canDecrypt(maria, roomId, next.getId() ?? "")).to.equal(true);
  });

  it("removes an outsider who came in while the bot was down, at start", async function () {
    needsTestHomeserver(this, "forces a join as a compromised server would");
    const { roomId } = await ticketRoom("RED");
    await world.stopBot("SIGKILL");
    const pablo = await world.person("pablo");
    world.testHomeserver.forceJoin(roomId, pablo.userId);
    await world.startBot();
    await maria.waitForMemberState(roomId, pablo.userId, "leave", WAIT);
    await maria.waitForMessage(roomId, step("removed"), WAIT);
  });

  it("!dsx invite: an outsider to a RED room is refused; a colleague of the partner to an AMBER room is invited", async () => {
    const red = await ticketRoom("RED");
    await maria.sendText(red.roomId, `!dsx invite ${world.user("pablo")}`);
    const refused = await botSaid(maria, red.roomId, (b) => b.includes("can't invite"));
    expect(refused.getContent()["body"]).to.contain("people taking part in this case only");
    await maria.sendText(red.roomId, "!dsx close resolved");
    await maria.waitForMessage(red.roomId, step("closed"), WAIT);

    const amber = await ticketRoom("AMBER");
    const mario = await world.person("mario");
    await sam.sendText(amber.roomId, `!dsx invite ${mario.userId}`);
    await botSaid(sam, amber.roomId, (b) => b.includes(`invited ${mario.userId}`));
    await mario.waitForInvite(world.botUserId, (r) => r.roomId === amber.roomId, WAIT);
    await mario.joinRoom(amber.roomId);
    // Mario takes part now: the report is posted again for him, and he can read it.
    const summary = await mario.waitForMessage(amber.roomId, step("summary"), WAIT);
    expect(summary.getContent()["body"]).to.contain("Ocelot-canary");
    expect(await world.membership(amber.roomId, mario.userId)).to.equal("join");
  });

  /** The audit of a case as `action:outcome` (stops the bot: SQLite has one writer). */
  async function auditOf(caseId: string): Promise<string[]> {
    await world.stopBot("SIGTERM");
    return world.database(async (manager) =>
      (await manager.findBy(AuditEntry, { caseId })).map((a) => `${a.action}:${a.outcome ?? ""}`),
    );
  }

  /** `inviter` has the bot invite `person` to a ticket room; `person` joins and reads the report. */
  async function inviteIn(inviter: E2eeTestClient, roomId: string, person: E2eeTestClient) {
    await inviter.sendText(roomId, `!dsx invite ${person.userId}`);
    await person.waitForInvite(world.botUserId, (r) => r.roomId === roomId, WAIT);
    await person.joinRoom(roomId);
    await person.waitForMessage(roomId, step("summary"), WAIT);
  }

  it("!dsx invite of DSX staff: refused to the provider (audited), done at the reporter's word", async () => {
    const { caseId, roomId } = await ticketRoom("AMBER");
    await sam.sendText(roomId, `!dsx invite ${ana.userId}`);
    const refused = await botSaid(sam, roomId, (b) => b.includes(`can't invite ${ana.userId}`));
    expect(refused.getContent()["body"]).to.contain("only when the reporter asks them in");
    expect(refused.getContent()["org.dsx.tlp"]).to.equal("WHITE");
    await inviteIn(maria, roomId, ana);
    const actions = await auditOf(caseId);
    expect(actions).to.include("incident.invite-refused:reporter-only");
    expect(actions.filter((a) => a.startsWith("incident.invited:"))).to.have.length(1);
  });

  it("raised from AMBER to RED: an invited affiliate takes part no more, and is out before the next RED message; the partner's own people stay", async () => {
    const { caseId, roomId } = await ticketRoom("AMBER");
    const mario = await world.person("mario");
    await inviteIn(maria, roomId, mario);
    // Carla works for the partner without being a member (an affiliate): AMBER admits her, RED not.
    const carla = await world.person("carla");
    await inviteIn(maria, roomId, carla);
    // The reporter asks the DSX team in; Ana joins just after the label is raised, so the
    // report goes again, under RED, while Carla may still be in the room.
    await maria.sendText(roomId, "!dsx assist");
    await ana.waitForInvite(world.botUserId, (r) => r.roomId === roomId, WAIT);
    await sam.sendText(roomId, "!dsx tlp RED");
    await botSaid(sam, roomId, (b) => b.includes(`${caseId} is now TLP:RED`));
    await ana.joinRoom(roomId);
    const red = await ana.waitForMessage(
      roomId,
      fromBot(
        (_b, e) =>
          e.getContent()["org.dsx.step"] === "summary" && e.getContent()["org.dsx.tlp"] === "RED",
      ),
      WAIT,
    );
    expect(red.getContent()["body"]).to.contain("Ocelot-canary");
    // Mario, of the partner, is party to the exchange: he stays and reads it.
    await mario.waitForEvent(roomId, (e) => e.getId() === red.getId(), WAIT);
    await maria.waitForMemberState(roomId, carla.userId, "leave", WAIT);
    await botSaid(maria, roomId, (b) => b.includes(`removed ${carla.userId}`));
    // The room's order as the reporter's client has it (the server's: on both homeservers), once
    // her client has the RED report (a busy sync may bring it after Carla's leave).
    await maria.waitForEvent(roomId, (e) => e.getId() === red.getId(), WAIT);
    const timeline = maria.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
    const left = timeline.findIndex(
      (e) =>
        e.getType() === "m.room.member" &&
        e.getStateKey() === carla.userId &&
        e.getContent()["membership"] === "leave",
    );
    const sent = timeline.findIndex((e) => e.getId() === red.getId());
    expect(left, "Carla was out before the RED report was sent").to.be.within(0, sent - 1);
    // Out before it, she never had it: the server does not give it her, nor a key to read it.
    const hers = await carla.fetchEvent(roomId, red.getId() ?? "").catch(() => undefined);
    expect(hers === undefined || hers.isDecryptionFailure(), "Carla cannot read it").to.equal(true);
    // While it is RED she cannot be brought back.
    await maria.sendText(roomId, `!dsx invite ${carla.userId}`);
    await botSaid(maria, roomId, (b) => b.includes(`can't invite ${carla.userId}`));
  });

  it("who leaves a ticket room takes part no more (at RED they are not invited again); the reporter stays party", async () => {
    const { roomId } = await ticketRoom("RED");
    await maria.leave(roomId);
    await sam.waitForMemberState(roomId, maria.userId, "leave", WAIT);
    await sam.sendText(roomId, `!dsx invite ${maria.userId}`);
    await botSaid(sam, roomId, (b) => b.includes(`invited ${maria.userId}`));
    await maria.waitForInvite(world.botUserId, (r) => r.roomId === roomId, WAIT);
    await maria.joinRoom(roomId);

    await sam.leave(roomId);
    await maria.waitForMemberState(roomId, sam.userId, "leave", WAIT);
    await maria.sendText(roomId, `!dsx invite ${sam.userId}`);
    const refused = await botSaid(maria, roomId, (b) => b.includes(`can't invite ${sam.userId}`));
    expect(refused.getContent()["body"]).to.contain("people taking part in this case only");
  });

  it("!dsx close: refused to someone invited along who is not the reporter, the provider or DSX", async () => {
    const { caseId, roomId } = await ticketRoom("GREEN");
    const fay = await world.person("fay");
    await inviteIn(sam, roomId, fay);
    await fay.sendText(roomId, "!dsx close resolved");
    await botSaid(fay, roomId, (b) =>
      b.includes(`Only the reporter, the provider working on ${caseId} or the DSX team`),
    );
    await fay.sendText(roomId, "!dsx status");
    const open = await fay.waitForMessage(roomId, step("status"), WAIT);
    expect(open.getContent()["body"]).to.contain(`${caseId} is in progress`);
    expect((await auditOf(caseId)).filter((a) => a.startsWith("incident.close"))).to.deep.equal([
      "incident.close-refused:",
    ]);
  });

  it("a reloaded directory that drops someone from their organisation has them removed from its tickets", async () => {
    const { roomId } = await ticketRoom("AMBER");
    const mario = await world.person("mario");
    await inviteIn(maria, roomId, mario);
    const text = await readFile(world.configFile, "utf8");
    const without = text.replace(`, "${mario.userId}"]`, "]");
    expect(without).to.not.equal(text);
    await writeFile(world.configFile, without);
    world.bot?.child.kill("SIGHUP");
    await maria.waitForMemberState(roomId, mario.userId, "leave", WAIT);
    await botSaid(maria, roomId, (b) => b.includes(`removed ${mario.userId}`));
  });

  it("lowering RED is refused to the provider and, confirmed, allowed to the partner (audited); a TLP:RED mark raises it again", async function () {
    needsTestHomeserver(
      this,
      "forces a join as a compromised server would; reads the homeserver's rooms directly",
    );
    const { caseId, roomId } = await ticketRoom("RED");
    await sam.sendText(roomId, "!dsx tlp GREEN");
    await botSaid(sam, roomId, (b) =>
      b.includes(`Only the reporter can lower the label of ${caseId}`),
    );
    await maria.sendText(roomId, "!dsx tlp GREEN");
    await botSaid(maria, roomId, (b) => b.includes("!dsx tlp GREEN confirm"));
    await maria.sendText(roomId, "!dsx tlp GREEN confirm");
    await botSaid(maria, roomId, (b) => b.includes(`lowered ${caseId} to TLP:GREEN`));

    // Ana (DSX) is forced in: GREEN lets someone the directory knows stay.
    world.testHomeserver.forceJoin(roomId, ana.userId);
    await maria.waitForMemberState(roomId, ana.userId, "join", WAIT);
    await sam.sendText(roomId, "TLP:RED they know our travel plans");
    await botSaid(sam, roomId, (b) => b.includes(`${caseId} is now held to TLP:RED`));
    // Raised to RED, the room is checked again: Ana does not take part, so she is removed.
    await maria.waitForMemberState(roomId, ana.userId, "leave", WAIT);

    await world.stopBot("SIGTERM");
    const { dataSource } = await openDatabase(world.databaseLocation);
    try {
      const actions = (await dataSource.getRepository(AuditEntry).findBy({ caseId })).map(
        (a) => `${a.action}:${a.outcome ?? ""}`,
      );
      expect(actions).to.include.members([
        "incident.label-lower-refused:GREEN",
        "incident.label-lowered:GREEN",
        "incident.label-raised:RED",
        "tlp.removed:RED",
      ]);
    } finally {
      await dataSource.destroy();
    }
  });

  it("refuses GREEN to a room that is public, world-readable or in the directory, and says why", async () => {
    const triage = world.rooms.triage;
    const setState = (type: string, content: Record<string, unknown>) =>
      ana.client.sendStateEvent(triage, type as never, content as never, "");
    const seen = new Set<string>();
    /** Maria reports a GREEN incident; both GREEN messages to triage are refused, saying why. */
    const reportAndExpectRefusal = async (why: string) => {
      await maria.sendText(mariaDm, "report incident");
      for (const [prompt, text] of [
        ["type", "1"],
        ["description", "Quetzal-canary"],
        ["measures", "nothing"],
        ["files", "done"],
        ["urgency", "low"],
        ["tlp", "GREEN"],
        ["consent", "no"],
        ["confirm", "yes"],
      ] as const)
        await answer(prompt, text);
      for (let i = 0; i < 2; i++) {
        const refusal = await ana.waitForMessage(
          triage,
          fromBot(
            (_b, e) => e.getContent()["org.dsx.step"] === "refused" && !seen.has(e.getId() ?? ""),
          ),
          WAIT,
        );
        seen.add(refusal.getId() ?? "");
        expect(refusal.getContent()["body"]).to.contain("TLP:GREEN").and.to.contain(why);
        expect(refusal.getContent()["org.dsx.tlp"]).to.equal("WHITE");
      }
    };
    await setState("m.room.join_rules", { join_rule: "public" });
    await reportAndExpectRefusal("anyone can join it");
    await setState("m.room.join_rules", { join_rule: "invite" });
    await setState("m.room.history_visibility", { history_visibility: "world_readable" });
    await reportAndExpectRefusal("history is readable by anyone");
    await setState("m.room.history_visibility", { history_visibility: "shared" });
    await ana.client.setRoomDirectoryVisibility(triage, Visibility.Public);
    await reportAndExpectRefusal("public room directory");
    const said = (ana.client.getRoom(triage)?.getLiveTimeline().getEvents() ?? [])
      .map((e) => JSON.stringify(e.getContent()))
      .join("\n");
    expect(said).to.not.contain("Quetzal");
  });
});
