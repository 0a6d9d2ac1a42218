import { expect } from "chai";
import { TestHomeserver } from "../../support/homeserver/index.js";
import { ConformanceScenario } from "./conformance-scenario.js";
import {
  loadClientServerSpec,
  matrixSpecUnavailableReason,
  SpecCheckedHttp,
  type ClientServerSpec,
} from "../../support/spec/index.js";

/** Every operation the scenario must reach, so it cannot pass by skipping calls. */
const ENDPOINTS_CHECKED = [
  "GET /_matrix/client/versions",
  "GET /_matrix/client/v3/login",
  "POST /_matrix/client/v3/register",
  "POST /_matrix/client/v3/login",
  "GET /_matrix/client/v3/account/whoami",
  "GET /_matrix/client/v3/capabilities",
  "PUT /_matrix/client/v3/profile/{userId}/{keyName}",
  "GET /_matrix/client/v3/profile/{userId}",
  "GET /_matrix/client/v3/profile/{userId}/{keyName}",
  "POST /_matrix/client/v3/user/{userId}/filter",
  "GET /_matrix/client/v3/user/{userId}/filter/{filterId}",
  "GET /_matrix/client/v3/pushrules/",
  "PUT /_matrix/client/v3/user/{userId}/account_data/{type}",
  "GET /_matrix/client/v3/user/{userId}/account_data/{type}",
  "POST /_matrix/client/v3/createRoom",
  "POST /_matrix/client/v3/rooms/{roomId}/invite",
  "POST /_matrix/client/v3/rooms/{roomId}/join",
  "POST /_matrix/client/v3/join/{roomIdOrAlias}",
  "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}",
  "PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}",
  "GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}",
  "GET /_matrix/client/v3/rooms/{roomId}/state",
  "GET /_matrix/client/v3/rooms/{roomId}/members",
  "GET /_matrix/client/v3/rooms/{roomId}/joined_members",
  "GET /_matrix/client/v3/joined_rooms",
  "GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}",
  "GET /_matrix/client/v3/rooms/{roomId}/messages",
  "PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}",
  "POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}",
  "PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}",
  "GET /_matrix/client/v3/sync",
  "PUT /_matrix/client/v3/directory/list/room/{roomId}",
  "GET /_matrix/client/v3/directory/list/room/{roomId}",
  "GET /_matrix/client/v3/publicRooms",
  "POST /_matrix/client/v3/keys/upload",
  "POST /_matrix/client/v3/keys/query",
  "POST /_matrix/client/v3/keys/claim",
  "GET /_matrix/client/v3/keys/changes",
  "PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}",
  "GET /_matrix/client/v3/devices",
  "GET /_matrix/client/v3/devices/{deviceId}",
  "PUT /_matrix/client/v3/devices/{deviceId}",
  "GET /_matrix/client/v3/room_keys/version",
  "POST /_matrix/media/v3/upload",
  "GET /_matrix/client/v1/media/download/{serverName}/{mediaId}",
  "POST /_matrix/client/v3/rooms/{roomId}/leave",
  "POST /_matrix/client/v3/rooms/{roomId}/forget",
  "POST /_matrix/client/v3/rooms/{roomId}/kick",
  "POST /_matrix/client/v3/rooms/{roomId}/ban",
];

/** Event types the scenario makes the server emit; each must reach an event schema check. */
const EVENT_TYPES_CHECKED = [
  "m.room.create",
  "m.room.member",
  "m.room.power_levels",
  "m.room.join_rules",
  "m.room.history_visibility",
  "m.room.guest_access",
  "m.room.name",
  "m.room.topic",
  "m.room.message",
  "m.room.redaction",
  "m.receipt",
  "m.typing",
  "m.dummy",
];

describe("the test homeserver against the Matrix client-server spec", function () {
  this.timeout(120_000);
  let spec: ClientServerSpec;
  let homeserver: TestHomeserver | undefined;

  before(async function () {
    const unavailable = matrixSpecUnavailableReason();
    if (unavailable !== undefined) {
      console.warn(`SKIPPED: ${unavailable}`);
      this.skip();
    }
    spec = await loadClientServerSpec();
    homeserver = await TestHomeserver.start({ serverName: "localhost" });
  });

  after(async () => {
    await homeserver?.stop();
  });

  it("answers a trading-desk session the way the spec describes", async () => {
    const http = new SpecCheckedHttp(spec, homeserver!.url);
    try {
      await new ConformanceScenario(http).run();
    } catch (error) {
      http.report(`scenario aborted: ${error instanceof Error ? error.stack : String(error)}`);
    }
    const notHit = ENDPOINTS_CHECKED.filter((endpoint) => !http.hits.has(endpoint));
    const unchecked = EVENT_TYPES_CHECKED.filter((type) => !http.checkedEventTypes.has(type));
    const report = [
      ...http.problems,
      ...notHit.map((endpoint) => `never answered: ${endpoint}`),
      ...unchecked.map((type) => `no ${type} event was seen to check`),
    ];
    expect(report.length, `${report.length} problems:\n${report.join("\n")}\n`).to.equal(0);
  });
});
