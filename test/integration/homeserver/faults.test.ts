import { expect } from "chai";
import { TestHomeserver } from "../../support/homeserver/index.js";
import { enc, MatrixHttp } from "./matrix-http.js";

describe("test homeserver fault and test hooks", () => {
  let homeserver: TestHomeserver;
  let http: MatrixHttp;
  const adminToken = "admin-secret";
  const hook = (path: string, body: unknown, token: string | null = adminToken) =>
    http.request("POST", `/_dsxtest/${path}`, { body, ...(token === null ? {} : { token }) });
  const versions = () => http.request("GET", "/_matrix/client/versions");

  beforeEach(async () => {
    homeserver = await TestHomeserver.start({ adminToken });
    http = new MatrixHttp(homeserver.url);
  });

  afterEach(async () => {
    await homeserver.stop();
  });

  it("fails the next N requests with the status asked for, then recovers", async () => {
    homeserver.faults.set({ failNext: 2, status: 502 });
    expect((await versions()).status).to.equal(502);
    expect((await versions()).status).to.equal(502);
    expect((await versions()).status).to.equal(200);
    expect((await hook("faults", { fail_next: 1, status: 503 })).status).to.equal(200);
    const failed = await versions();
    expect([failed.status, failed.json.errcode]).to.deep.equal([503, "M_UNKNOWN"]);
    expect((await versions()).status).to.equal(200);
  });

  it("holds requests while paused and never faults the test hooks", async () => {
    await hook("faults", { paused: true, fail_next: 5 });
    let answered = false;
    const held = versions().then((answer) => {
      answered = true;
      return answer;
    });
    // The hook itself answers while everything else is held.
    expect((await hook("faults", { paused: true })).status).to.equal(200);
    expect(answered).to.equal(false);
    await hook("faults", {});
    expect((await held).status).to.equal(200);
  });

  it("delays requests", async () => {
    homeserver.faults.set({ delayMs: 150 });
    const started = Date.now();
    await versions();
    expect(Date.now() - started).to.be.at.least(140);
    homeserver.faults.clear();
  });

  it("drops open connections", async () => {
    const user = await homeserver.registerUser("polly");
    const first = await http.sync(user.accessToken);
    const polling = http.sync(user.accessToken, `since=${String(first.next_batch)}&timeout=20000`);
    const outcome = polling.then(
      () => "answered",
      () => "dropped",
    );
    // Wait until the long-poll is parked at the server before dropping.
    await waitUntil(() => homeserver.requestsInFlight > 0);
    await hook("faults", { drop_connections: true });
    expect(await outcome).to.equal("dropped");
  });

  it("restarts on the same port keeping its state", async () => {
    const user = await homeserver.registerUser("rita");
    const url = homeserver.url;
    await homeserver.restart();
    expect(homeserver.url).to.equal(url);
    const me = await http.ok("GET", "/account/whoami", user.accessToken);
    expect(me.user_id).to.equal(user.userId);
  });

  it("guards the HTTP hooks with the admin token", async () => {
    expect((await hook("faults", {}, "wrong")).status).to.equal(403);
    expect((await hook("faults", {}, null)).status).to.equal(403);
    const noToken = await TestHomeserver.start();
    try {
      const answer = await new MatrixHttp(noToken.url).request("POST", "/_dsxtest/faults", {
        body: {},
        token: adminToken,
      });
      expect([answer.status, answer.json.errcode]).to.deep.equal([404, "M_UNRECOGNIZED"]);
    } finally {
      await noToken.stop();
    }
  });

  it("force-joins a user into an invite-only room, in process and over HTTP", async () => {
    const owner = await homeserver.registerUser("owner");
    const mallory = await homeserver.registerUser("mallory");
    const eve = await homeserver.registerUser("eve");
    const { room_id: roomId } = await http.ok("POST", "/createRoom", owner.accessToken, {});
    const id = String(roomId);
    const refused = await http.call("POST", `/join/${enc(id)}`, mallory.accessToken, {});
    expect(refused.status).to.equal(403);
    homeserver.forceJoin(id, mallory.userId);
    expect(homeserver.room(id)?.membership(mallory.userId)).to.equal("join");
    expect((await hook("force_join", { room_id: id, user_id: eve.userId })).status).to.equal(200);
    expect(homeserver.room(id)?.members.get(eve.userId)).to.equal("join");
  });
});

/** Polls a condition with a deadline (for server-side state with no event to wait on). */
async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
