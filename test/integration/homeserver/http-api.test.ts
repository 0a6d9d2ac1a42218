import { expect } from "chai";
import { TestHomeserver } from "../../support/homeserver/index.js";
import { at, enc, MatrixHttp, txn } from "./matrix-http.js";

describe("test homeserver over plain HTTP", () => {
  let homeserver: TestHomeserver;
  let http: MatrixHttp;

  beforeEach(async () => {
    homeserver = await TestHomeserver.start();
    http = new MatrixHttp(homeserver.url);
  });

  afterEach(async () => {
    await homeserver.stop();
  });

  it("registers with the user-interactive flow, sends a message and reads it back in /sync", async () => {
    const first = await http.request("POST", "/_matrix/client/v3/register", {
      body: { username: "dana", password: "secret" },
    });
    expect(first.status).to.equal(401);
    expect(first.json.flows).to.deep.equal([{ stages: ["m.login.dummy"] }]);
    expect(first.json.session).to.be.a("string");

    const dana = await http.register("erin");
    const { room_id: roomId } = await http.ok("POST", "/createRoom", dana.token, {});
    const sent = await http.ok(
      "PUT",
      `/rooms/${enc(String(roomId))}/send/m.room.message/${txn()}`,
      dana.token,
      { msgtype: "m.text", body: "hello over http" },
    );
    const sync = await http.sync(dana.token);
    const events = at(sync, "rooms", "join", String(roomId), "timeline", "events") as {
      event_id: string;
      content: { body?: string };
    }[];
    const mine = events.find((e) => e.event_id === sent.event_id);
    expect(mine?.content.body).to.equal("hello over http");
  });

  it("answers with the spec's error codes", async () => {
    const user = await http.register("frank");
    const whoami = "/_matrix/client/v3/account/whoami";
    expect((await http.request("GET", whoami)).json.errcode).to.equal("M_MISSING_TOKEN");
    const unknown = await http.request("GET", whoami, { token: "nope" });
    expect([unknown.status, unknown.json.errcode]).to.deep.equal([401, "M_UNKNOWN_TOKEN"]);
    const notJson = await http.request("POST", "/_matrix/client/v3/createRoom", {
      token: user.token,
      rawBody: "{not json",
    });
    expect([notJson.status, notJson.json.errcode]).to.deep.equal([400, "M_NOT_JSON"]);
    const badJson = await http.request("POST", "/_matrix/client/v3/createRoom", {
      token: user.token,
      rawBody: "[1]",
    });
    expect([badJson.status, badJson.json.errcode]).to.deep.equal([400, "M_BAD_JSON"]);
    const nowhere = await http.request("GET", "/_matrix/client/v3/no/such/endpoint");
    expect([nowhere.status, nowhere.json.errcode]).to.deep.equal([404, "M_UNRECOGNIZED"]);
    const wrongMethod = await http.request("DELETE", whoami, { token: user.token });
    expect([wrongMethod.status, wrongMethod.json.errcode]).to.deep.equal([405, "M_UNRECOGNIZED"]);
    const taken = await http.request("POST", "/_matrix/client/v3/register", {
      body: { username: "frank", password: "x", auth: { type: "m.login.dummy" } },
    });
    expect([taken.status, taken.json.errcode]).to.deep.equal([400, "M_USER_IN_USE"]);
    const invalid = await http.request("POST", "/_matrix/client/v3/register", {
      body: { username: "Frank!", password: "x", auth: { type: "m.login.dummy" } },
    });
    expect([invalid.status, invalid.json.errcode]).to.deep.equal([400, "M_INVALID_USERNAME"]);
    const noRoom = await http.call("GET", `/rooms/${enc("!nope:localhost")}/state`, user.token);
    expect([noRoom.status, noRoom.json.errcode]).to.deep.equal([404, "M_NOT_FOUND"]);
    const backup = await http.call("GET", "/room_keys/version", user.token);
    expect([backup.status, backup.json.errcode]).to.deep.equal([404, "M_NOT_FOUND"]);
  });

  it("logs in with a password, answers whoami and logs out", async () => {
    await homeserver.registerUser("gina", "pw");
    const flows = await http.request("GET", "/_matrix/client/v3/login");
    expect(flows.json.flows).to.deep.equal([{ type: "m.login.password" }]);
    const wrong = await http.request("POST", "/_matrix/client/v3/login", {
      body: {
        type: "m.login.password",
        identifier: { type: "m.id.user", user: "gina" },
        password: "x",
      },
    });
    expect([wrong.status, wrong.json.errcode]).to.deep.equal([403, "M_FORBIDDEN"]);
    const login = await http.request("POST", "/_matrix/client/v3/login", {
      body: {
        type: "m.login.password",
        identifier: { type: "m.id.user", user: "gina" },
        password: "pw",
      },
    });
    const token = String(login.json.access_token);
    const me = await http.ok("GET", "/account/whoami", token);
    expect(me).to.include({ user_id: "@gina:localhost", device_id: login.json.device_id });
    await http.ok("POST", "/logout", token);
    expect((await http.call("GET", "/account/whoami", token)).json.errcode).to.equal(
      "M_UNKNOWN_TOKEN",
    );
  });

  it("keeps profiles, filters, account data and push rules", async () => {
    const user = await http.register("hank");
    const id = enc(user.userId);
    await http.ok("PUT", `/profile/${id}/displayname`, user.token, { displayname: "Hank" });
    expect(await http.ok("GET", `/profile/${id}`, user.token)).to.deep.equal({
      displayname: "Hank",
    });
    const { filter_id: filterId } = await http.ok("POST", `/user/${id}/filter`, user.token, {
      room: { timeline: { limit: 5 } },
    });
    expect(
      await http.ok("GET", `/user/${id}/filter/${String(filterId)}`, user.token),
    ).to.deep.equal({ room: { timeline: { limit: 5 } } });
    await http.ok("PUT", `/user/${id}/account_data/org.example.x`, user.token, { a: 1 });
    expect(
      await http.ok("GET", `/user/${id}/account_data/org.example.x`, user.token),
    ).to.deep.equal({ a: 1 });
    const rules = await http.ok("GET", "/pushrules/", user.token);
    expect(at(rules, "global", "override")).to.be.an("array").that.is.not.empty;
  });

  it("stores media and serves it on the authenticated and legacy paths", async () => {
    const user = await http.register("ivan");
    const upload = await fetch(`${homeserver.url}/_matrix/media/v3/upload?filename=a.txt`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "text/plain" },
      body: "file body",
    });
    const { content_uri: uri } = (await upload.json()) as { content_uri: string };
    expect(uri).to.match(/^mxc:\/\/localhost\//);
    const path = uri.slice("mxc://".length);
    const authedDownload = await fetch(
      `${homeserver.url}/_matrix/client/v1/media/download/${path}`,
      {
        headers: { Authorization: `Bearer ${user.token}` },
      },
    );
    expect(await authedDownload.text()).to.equal("file body");
    const anonymous = await fetch(`${homeserver.url}/_matrix/client/v1/media/download/${path}`);
    expect(anonymous.status).to.equal(401);
    const legacy = await fetch(`${homeserver.url}/_matrix/media/v3/download/${path}`);
    expect(legacy.headers.get("content-type")).to.equal("text/plain");
    expect(await legacy.text()).to.equal("file body");
    const config = await http.request("GET", "/_matrix/client/v1/media/config", {
      token: user.token,
    });
    expect(config.json["m.upload.size"]).to.be.a("number");
  });
});
