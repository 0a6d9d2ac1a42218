import { expect } from "chai";
import {
  loadClientServerSpec,
  matrixSpecUnavailableReason,
  type ClientServerSpec,
} from "../../support/spec/index.js";

/*
 * Floors, a little under what the spec folder held when these tests were written (72 files,
 * 166 operations, 390 JSON response schemas, 263 response examples): a loader that silently
 * skipped files would fall below them.
 */
const MIN_FILES = 70;
const MIN_OPERATIONS = 160;
const MIN_RESPONSE_SCHEMAS = 380;
const MIN_RESPONSE_EXAMPLES = 250;

describe("the Matrix client-server spec loader", function () {
  this.timeout(60_000);
  let spec: ClientServerSpec;

  before(async function () {
    const unavailable = matrixSpecUnavailableReason();
    if (unavailable !== undefined) {
      console.warn(`SKIPPED: ${unavailable}`);
      this.skip();
    }
    spec = await loadClientServerSpec();
  });

  it("loads every client-server file and compiles every JSON response schema", () => {
    expect(spec.files.length).to.be.at.least(MIN_FILES);
    expect(spec.operations.length).to.be.at.least(MIN_OPERATIONS);
    expect(spec.responseSchemaCount).to.be.at.least(MIN_RESPONSE_SCHEMAS);
    const filesWithOperations = new Set(spec.operations.map((operation) => operation.file));
    expect(spec.files.filter((file) => !filesWithOperations.has(file))).to.deep.equal([]);
    expect(spec.compileWarnings).to.deep.equal([]);
  });

  it("accepts the response examples the spec gives, against their own schemas", () => {
    let checked = 0;
    const failures: string[] = [];
    for (const operation of spec.operations) {
      for (const response of operation.responses) {
        for (const example of response.examples) {
          checked += 1;
          const where = `${operation.method.toUpperCase()} ${operation.path.template} ${response.status} (${example.name})`;
          if (response.validate === undefined) {
            failures.push(`${where}: example without a JSON schema`);
          } else if (!response.validate(example.value)) {
            failures.push(`${where}: ${JSON.stringify(response.validate.errors)}`);
          }
        }
      }
    }
    expect(checked).to.be.at.least(MIN_RESPONSE_EXAMPLES);
    expect(failures).to.deep.equal([]);
  });

  it("matches concrete paths with encoded IDs to their templates", () => {
    const check = spec.validateResponse(
      "GET",
      "/_matrix/client/v3/rooms/!abc%3Alocalhost/messages?dir=b&limit=3",
      200,
      { start: "t1", chunk: [] },
    );
    expect(check).to.deep.include({
      matched: "GET /_matrix/client/v3/rooms/{roomId}/messages",
      pathParams: { roomId: "!abc:localhost" },
      checkedAgainst: "operation",
      errors: [],
    });
    const event = spec.validateResponse(
      "GET",
      "/_matrix/client/v3/rooms/!abc%3Alocalhost/event/%24ev%2Fwith%2Fslashes",
      404,
      { errcode: "M_NOT_FOUND", error: "no such event" },
    );
    expect(event?.matched).to.equal("GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}");
    expect(event?.pathParams).to.deep.equal({
      roomId: "!abc:localhost",
      eventId: "$ev/with/slashes",
    });
  });

  it("prefers a literal segment over a parameter and knows each file's prefix", () => {
    expect(
      spec.validateResponse("GET", "/_matrix/client/v3/room_keys/version", 404, {})?.matched,
    ).to.equal("GET /_matrix/client/v3/room_keys/version");
    expect(
      spec.validateResponse("GET", "/_matrix/client/versions", 200, { versions: [] })?.matched,
    ).to.equal("GET /_matrix/client/versions");
    expect(spec.validateResponse("GET", "/_matrix/media/v3/config", 200, {})?.matched).to.equal(
      "GET /_matrix/media/v3/config",
    );
    expect(
      spec.validateResponse("GET", "/_matrix/client/v1/media/config", 200, {})?.matched,
    ).to.equal("GET /_matrix/client/v1/media/config");
  });

  it("lets the empty state key drop its trailing slash, as the spec allows", () => {
    const check = spec.validateResponse(
      "GET",
      "/_matrix/client/v3/rooms/!r%3Ahs/state/m.room.name",
      200,
      { name: "Trading floor" },
    );
    expect(check?.matched).to.equal(
      "GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}",
    );
    expect(check?.pathParams.stateKey).to.equal("");
  });

  it("reports bodies that break the schema, with the JSON path of each problem", () => {
    const check = spec.validateResponse("GET", "/_matrix/client/v3/account/whoami", 200, {
      user_id: 42,
      device_id: "DEV",
    });
    expect(check?.errors).to.deep.equal(["/user_id: must be string"]);
    const missing = spec.validateResponse("POST", "/_matrix/client/v3/createRoom", 200, {});
    expect(missing?.errors).to.deep.equal(["(root): must have required property 'room_id'"]);
  });

  it("checks the Matrix string formats", () => {
    const whoami = (userId: string): readonly string[] | undefined =>
      spec.validateResponse("GET", "/_matrix/client/v3/account/whoami", 200, { user_id: userId })
        ?.errors;
    expect(whoami("@alice:localhost")).to.deep.equal([]);
    expect(whoami("@alice")).to.deep.equal(['/user_id: must match format "mx-user-id"']);
  });

  it("checks undocumented error statuses against the standard error body", () => {
    const unknownToken = spec.validateResponse("GET", "/_matrix/client/v3/sync", 401, {
      errcode: "M_UNKNOWN_TOKEN",
      error: "Unknown access token",
    });
    expect(unknownToken).to.deep.include({ checkedAgainst: "standard-error", errors: [] });
    const bare = spec.validateResponse("GET", "/_matrix/client/v3/sync", 401, { error: "no" });
    expect(bare?.errors).to.deep.equal(["(root): must have required property 'errcode'"]);
  });

  it("flags an undocumented success status", () => {
    const check = spec.validateResponse("GET", "/_matrix/client/v3/account/whoami", 201, {});
    expect(check?.errors).to.deep.equal([
      "status 201 is not documented for GET /_matrix/client/v3/account/whoami",
    ]);
  });

  it("reports unknown methods and paths as undefined", () => {
    expect(spec.validateResponse("GET", "/_matrix/client/v3/no_such_endpoint", 404, {})).to.equal(
      undefined,
    );
    expect(spec.validateResponse("DELETE", "/_matrix/client/v3/account/whoami", 405, {})).to.equal(
      undefined,
    );
  });
});
