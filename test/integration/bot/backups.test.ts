import { expect } from "chai";
import { watch } from "node:fs";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import { IsNull } from "typeorm";
import { openBackup } from "../../../src/backup/backup-file.js";
import { backupTime } from "../../../src/backup/backups.js";
import { AuditEntry, ScheduledJob } from "../../../src/store/entities/index.js";
import { botStep as step, DsxWorld } from "../../support/bot/dsx-world.js";
import type { E2eeTestClient } from "../../support/clients/e2ee-client.js";
import { loginWithPassword } from "../../support/clients/registration.js";

/** Resolves once the wall clock has passed `at` (backup ages are wall-clock times). */
function clockPast(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() + 50)));
}

/**
 * Backups as an operator lives them: made by hand and on schedule, encrypted, restored into an
 * empty state directory after a disk is lost, refused when altered, purged after the keep
 * period even when the bot was down when that was due.
 */
describe("backups: encrypted, restorable, purged", function () {
  this.timeout(600_000);
  let world: DsxWorld;
  afterEach(async () => {
    await world.stop();
  });

  const dataKey = () => Buffer.from(world.env.DSX_DATA_KEY ?? "", "base64");
  const backupsIn = async (folder: string) =>
    (await readdir(folder).catch(() => [] as string[])).filter((n) => n.endsWith(".dsxb")).sort();

  it("a backup restored into an empty state directory brings back cases, schedules and the room keys; an altered one is refused", async () => {
    world = await DsxWorld.create(["incidents: { offerTimeout: PT1H }"]);
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const maria = await world.person("maria");
    const mariaDm = await world.directMessage(maria);
    await maria.sendText(mariaDm, "report incident");
    await world.answerPrompts(maria, mariaDm, [
      ["type", "1"],
      ["description", "Pangolin-canary: our donor list was copied"],
      ["measures", "passwords changed"],
      ["files", "done"],
      ["urgency", "high"],
      ["tlp", "AMBER"],
      ["consent", "yes"],
      ["confirm", "yes"],
    ]);
    const received = await world.next(maria, mariaDm, step("received"));
    const caseId = String(received.getContent()["org.dsx.case"]);
    await ana.sendText(world.rooms.triage, `!dsx assign ${caseId} securelab`);
    await world.next(ana, world.rooms.triage, (b) => b.includes("offered to"));
    await world.stopBot();

    const pending = () =>
      world.database(async (manager) =>
        (await manager.findBy(ScheduledJob, { firedAt: IsNull() }))
          .map((job) => `${job.kind}:${job.caseId ?? ""}:${String(job.dueAt)}`)
          .sort(),
      );
    const jobsBefore = await pending();
    expect(jobsBefore.some((job) => job.startsWith(`incident.offer-lapse:${caseId}`))).to.equal(
      true,
    );
    const made = await world.cli("backup");
    expect(made.code, made.stderr).to.equal(0);
    const path = /backup written: (\S+)/.exec(made.stdout)?.[1] ?? "";
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from("Pangolin")), "plain text in the backup").to.equal(false);

    // The disk is lost: a new, empty state directory; the backup was kept elsewhere.
    const kept = join(world.folder, "kept.dsxb");
    const altered = join(world.folder, "altered.dsxb");
    await copyFile(path, kept);
    const changed = Buffer.from(bytes);
    changed[Math.floor(changed.length / 2)] = (changed[Math.floor(changed.length / 2)] ?? 0) ^ 1;
    await writeFile(altered, changed);
    await world.loseDisk();

    const refused = await world.cli("restore", [altered]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("cannot be trusted");
    expect(await readdir(world.stateDir).catch(() => [])).to.not.include("e2ee");
    const restored = await world.cli("restore", [kept]);
    expect(restored.code, restored.stderr).to.equal(0);
    const again = await world.cli("restore", [kept]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("not empty");
    expect(await pending()).to.deep.equal(jobsBefore);

    // A new device with the restored room keys: it decrypts what maria writes now (in the
    // session she shared before the backup), and knows her case.
    await world.startBot();
    await maria.sendText(mariaDm, "status");
    await world.next(maria, mariaDm, (b) => b.includes(caseId));
    await ana.sendText(world.rooms.triage, `!dsx ticket ${caseId}`);
    await world.next(ana, world.rooms.triage, (b) => b.includes("Pangolin-canary"));
    expect(world.logs).not.to.contain("Pangolin");
  });

  it("purges backups older than the keep period, also when the bot was down when that was due", async () => {
    world = await DsxWorld.create([
      "policy:",
      "  undecryptable: { askToResendAfter: PT2S }",
      "  backups: { every: PT3S, keep: PT6S }",
    ]);
    await world.startBot();
    const folder = join(world.stateDir, "backups");
    // The first run makes a backup at start, then one every three seconds.
    await world.bot?.waitForLine(/"msg":"backup made"/, 60_000);
    await world.stopBot();
    const first = (await backupsIn(folder))[0] ?? "";
    const firstAt = backupTime(first) ?? 0;
    expect(firstAt).to.be.greaterThan(0);
    // Down past the next run and past the first backup's keep period.
    await clockPast(firstAt + 6_000);
    await world.startBot();
    await world.bot?.waitForLine(/"msg":"backup made"/, 60_000);
    // The log says what was removed only when something was ("backup made, count 0" was noise).
    await world.bot?.waitForLine(/"count":[1-9]\d*,"msg":"old backups removed"/, 60_000);
    await world.stopBot();
    const left = await backupsIn(folder);
    expect(left).to.not.include(first);
    expect(left.length).to.be.greaterThan(0);
    for (const name of left)
      expect(Date.now() - (backupTime(name) ?? 0)).to.be.lessThan(6_000 + 60_000);
    const purged = await world.database((manager) =>
      manager.findBy(AuditEntry, { action: "backup.purged" }),
    );
    expect(purged.map((entry) => entry.outcome)).to.include(first);
  });

  it("after a ticket closes the next backup lacks its details", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const maria = await world.person("maria");
    const sam = await world.person("sam");
    const ticket = await world.openTicketRoom({
      partner: maria,
      partnerDm: await world.directMessage(maria),
      provider: sam,
      providerOrg: "securelab",
      dsx: ana,
      label: "AMBER",
      description: "Axolotl-canary: the office laptop was seized",
    });
    await world.stopBot();
    const before = await world.cli("backup");
    expect(before.code, before.stderr).to.equal(0);
    const details = (path: string) =>
      readFile(path).then((bytes) => {
        const contents = openBackup(bytes, dataKey());
        const incident = contents.tables["incident"]?.find(
          (row) => row["caseId"] === ticket.caseId,
        );
        // Everything else the backup holds about the case.
        const related = Object.entries(contents.tables)
          .filter(([table]) => table !== "incident")
          .flatMap(([, rows]) => rows.filter((row) => row["caseId"] === ticket.caseId));
        return { incident, related: JSON.stringify(related) };
      });
    const opened = await details(/backup written: (\S+)/.exec(before.stdout)?.[1] ?? "");
    expect(opened.incident?.["description"]).to.be.a("string");
    expect(opened.incident?.["reporterId"]).to.equal(maria.userId);

    await world.startBot();
    await maria.sendText(ticket.roomId, "!dsx close resolved");
    await world.next(maria, ticket.roomId, step("closed", ticket.caseId));
    await world.stopBot();
    const after = await world.cli("backup");
    const closed = await details(/backup written: (\S+)/.exec(after.stdout)?.[1] ?? "");
    expect(closed.incident?.["state"]).to.equal("closed");
    for (const column of ["description", "measures", "reporterId", "partnerOrg", "ticketRoomId"])
      expect(closed.incident?.[column], column).to.equal(null);
    for (const kept of [maria.userId, sam.userId, ticket.roomId])
      expect(closed.related, kept).not.to.contain(kept);
  });

  it("a restored older backup answers nothing again that the bot answered after it, and what it had not answered it answers", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const ana = await world.dsxTeamMember();
    const triage = world.rooms.triage;
    const { maria, mariaDm, kept } = await backUpAfterAnAnswer(world);

    // After the backup: answered by the bot whose disk is then lost.
    await world.startBot();
    await maria.sendText(mariaDm, "help");
    await world.next(maria, mariaDm, () => true);
    await ana.sendText(triage, "!dsx tickets");
    await world.next(ana, triage, () => true);
    await maria.sendText(mariaDm, "status");
    await world.next(maria, mariaDm, () => true);
    await world.stopBot("SIGKILL");
    // Written while it was down: nobody answered it yet.
    await maria.sendText(mariaDm, "help");
    await world.loseDisk();
    const restored = await world.cli("restore", [kept]);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.contain("its next start makes the bot a new device");

    // Every message of the bot, also one the client could not decrypt.
    const sent = (person: typeof maria, roomId: string) =>
      (person.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).filter(
        (e) =>
          e.getSender() === world.botUserId &&
          ["m.room.message", "m.room.encrypted"].includes(e.getType()),
      );
    const before = { dm: sent(maria, mariaDm).length, triage: sent(ana, triage).length };
    const formerDevices = await devicesOf(maria, world.botUserId);
    expect(formerDevices.ids).to.have.length(1);
    await world.startBot();
    await world.next(maria, mariaDm, (body) => body.includes("report incident"));
    await ana.sendText(triage, "!dsx tickets");
    await world.next(ana, triage, () => true);
    await maria.sendText(mariaDm, "status");
    await world.next(maria, mariaDm, () => true);
    // The one answer to what came while it was down, and the answers to what came after.
    const types = (events: MatrixEvent[]) => events.map((e) => e.getType());
    expect(types(sent(maria, mariaDm).slice(before.dm)), "direct room").to.deep.equal([
      "m.room.message",
      "m.room.message",
    ]);
    expect(types(sent(ana, triage).slice(before.triage)), "triage").to.deep.equal([
      "m.room.message",
    ]);
    expect(world.logs).to.contain("after a restore");
    // It came back as a new device, signed by its account; the restored one is deleted.
    const devices = await devicesOf(maria, world.botUserId);
    expect(devices.ids, "the bot's devices").to.have.length(1);
    expect(devices.ids[0]).not.to.equal(formerDevices.ids[0]);
    expect(devices.signedByAccount, "the new device is cross-signed").to.deep.equal(devices.ids);
    // Its encryption starts afresh: the restored store's outbound session had gone on being
    // used after the backup, and its message indices would be used twice.
    const sessions = (events: MatrixEvent[]) =>
      new Set(events.map((e) => String(e.getWireContent()["session_id"])));
    const old = sessions(sent(maria, mariaDm).slice(0, before.dm));
    for (const session of sessions(sent(maria, mariaDm).slice(before.dm)))
      expect(old.has(session), "an outbound session of before the restore").to.equal(false);
  });
  it("a crash while the restored bot moves to its new device is made good at the next start", async () => {
    world = await DsxWorld.create();
    await world.startBot();
    const { maria, mariaDm, kept } = await backUpAfterAnAnswer(world);
    await world.loseDisk();
    expect((await world.cli("restore", [kept])).code).to.equal(0);

    // Killed as soon as the new device's store appears, before it takes the restored one's place.
    const watcher = watch(world.stateDir);
    const killed = new Promise<void>((resolve) => {
      watcher.on("change", (_type, name) => {
        if (String(name) !== "e2ee.new") return;
        watcher.close();
        void world.stopBot("SIGKILL").then(resolve);
      });
    });
    const crashed = world.startBot().then(
      () => "started",
      () => "crashed",
    );
    await killed;
    expect(await crashed).to.equal("crashed");

    await world.startBot();
    expect(world.logs).to.contain("ended while making the new device; it is made again");
    expect(world.logs).to.contain("after a restore the bot is a new device");
    await maria.sendText(mariaDm, "help");
    await world.next(maria, mariaDm, (body) => body.includes("report incident"));
    // The device half made by the crashed start is deleted too: one device, signed.
    const devices = await devicesOf(maria, world.botUserId);
    expect(devices.ids).to.have.length(1);
    expect(devices.signedByAccount).to.deep.equal(devices.ids);
  });

  it("with an access token a restore keeps the restored device, and the log says what that costs", async () => {
    world = await DsxWorld.create();
    const login = await loginWithPassword(
      world.homeserver.url,
      "dsx",
      world.env.DSX_BOT_PASSWORD ?? "",
    );
    const byPassword = `password: "\${DSX_BOT_PASSWORD}"`;
    // With the password too, for Synapse's question when the keys are first published.
    const withToken = () =>
      writeFile(
        world.configFile,
        world
          .configText()
          .replace(byPassword, `accessToken: "${login.accessToken}", ${byPassword}`),
      );
    await withToken();
    await world.startBot();
    const { maria, mariaDm, kept } = await backUpAfterAnAnswer(world);
    await world.loseDisk();
    await withToken();
    const restored = await world.cli("restore", [kept]);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.contain("binds the bot to the restored device");

    await world.startBot();
    expect(world.logs).to.contain("after a restore the bot keeps the restored device");
    expect(world.logs).to.contain("claimed the one-time keys uploaded after the restored backup");
    await maria.sendText(mariaDm, "help");
    await world.next(maria, mariaDm, (body) => body.includes("report incident"));
    expect((await devicesOf(maria, world.botUserId)).ids).to.deep.equal([login.deviceId]);
  });
});

/**
 * Maria writes to the running bot and is answered; the bot stops and a backup is made then, and
 * kept aside (the bot's next backups do not replace it).
 */
async function backUpAfterAnAnswer(
  world: DsxWorld,
): Promise<{ maria: E2eeTestClient; mariaDm: string; kept: string }> {
  const maria = await world.person("maria");
  const mariaDm = await world.directMessage(maria);
  await maria.sendText(mariaDm, "status");
  await world.next(maria, mariaDm, () => true);
  await world.stopBot();
  const made = await world.cli("backup");
  expect(made.code, made.stderr).to.equal(0);
  const kept = join(world.folder, "kept.dsxb");
  await copyFile(/backup written: (\S+)/.exec(made.stdout)?.[1] ?? "", kept);
  return { maria, mariaDm, kept };
}

/** A user's devices as the homeserver publishes them, and those signed by the account's key. */
async function devicesOf(
  person: { client: MatrixClient },
  userId: string,
): Promise<{ ids: string[]; signedByAccount: string[] }> {
  const keys = await person.client.downloadKeysForUsers([userId]);
  const devices = keys.device_keys[userId] ?? {};
  const selfSigning = Object.keys(keys.self_signing_keys?.[userId]?.keys ?? {});
  const ids = Object.keys(devices);
  const signedByAccount = ids.filter((id) =>
    Object.keys(devices[id]?.signatures?.[userId] ?? {}).some((key) => selfSigning.includes(key)),
  );
  return { ids, signedByAccount };
}
