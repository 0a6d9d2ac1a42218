import { expect } from "chai";
import {
  TestHomeserver,
  type HomeserverOptions,
  type SpecVersion,
} from "../../support/homeserver/index.js";
import { MatrixHttp } from "./matrix-http.js";

const AUTHED_MEDIA = "/_matrix/client/v1/media";
const LEGACY_MEDIA = "/_matrix/media/v3";

/**
 * The test homeserver behaves as a server of the spec versions it advertises, for media: before
 * v1.11 there is no authenticated media (as on Synapse 1.67); from v1.11 the legacy downloads
 * may be frozen (as on Synapse with `enable_authenticated_media`).
 */
describe("test homeserver: the spec versions it advertises, and media", () => {
  let homeserver: TestHomeserver | undefined;

  afterEach(async () => {
    await homeserver?.stop();
    homeserver = undefined;
  });

  async function start(options: HomeserverOptions = {}) {
    homeserver = await TestHomeserver.start(options);
    const http = new MatrixHttp(homeserver.url);
    const user = await http.register("ivan");
    const url = homeserver.url;
    const get = async (path: string, token?: string) => {
      const response = await fetch(`${url}${path}`, {
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      });
      const body = await response.text();
      const type = response.headers.get("content-type") ?? "";
      return {
        status: response.status,
        body,
        errcode: type.includes("json") ? (JSON.parse(body) as { errcode?: string }).errcode : "",
      };
    };
    const upload = await fetch(`${url}${LEGACY_MEDIA}/upload?filename=a.txt`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "text/plain" },
      body: "file body",
    });
    expect(upload.status, "upload on the legacy path").to.equal(200);
    const { content_uri: uri } = (await upload.json()) as { content_uri: string };
    return { http, user, get, media: uri.slice("mxc://".length) };
  }

  const versionsOf = async (http: MatrixHttp) =>
    (await http.request("GET", "/_matrix/client/versions")).json.versions;

  it("lists r0.6.1 to v1.12 by default, and up to the newest version it is given", async () => {
    const all = await start();
    expect(await versionsOf(all.http)).to.deep.equal([
      "r0.6.1",
      ...Array.from({ length: 12 }, (_, i) => `v1.${String(i + 1)}`),
    ]);
    await homeserver?.stop();
    const older = await start({ newestSpecVersion: "v1.10" });
    const versions = await versionsOf(older.http);
    expect(versions).to.have.length(11);
    expect(versions).to.include("v1.10").and.not.include("v1.11").and.not.include("v1.12");
    await homeserver?.stop();
    const synapse167 = await start({ newestSpecVersion: "v1.3" });
    expect(await versionsOf(synapse167.http)).to.deep.equal(["r0.6.1", "v1.1", "v1.2", "v1.3"]);
  });

  it("serves media on both paths by default", async () => {
    const { get, user, media } = await start();
    for (const path of [
      `${AUTHED_MEDIA}/download/${media}`,
      `${AUTHED_MEDIA}/download/${media}/b.txt`,
      `${AUTHED_MEDIA}/thumbnail/${media}?width=32&height=32`,
      `${LEGACY_MEDIA}/download/${media}`,
      `${LEGACY_MEDIA}/thumbnail/${media}?width=32&height=32`,
    ]) {
      expect(await get(path, user.token), path).to.deep.include({ status: 200, body: "file body" });
    }
    expect((await get(`${AUTHED_MEDIA}/config`, user.token)).status).to.equal(200);
  });

  it("before v1.11 answers the authenticated media endpoints as unknown ones, and serves the legacy paths", async () => {
    const { get, user, media } = await start({ newestSpecVersion: "v1.10" });
    const unknown = await get("/_matrix/client/v1/no/such/endpoint", user.token);
    expect(unknown).to.deep.include({ status: 404, errcode: "M_UNRECOGNIZED" });
    for (const path of [
      `${AUTHED_MEDIA}/download/${media}`,
      `${AUTHED_MEDIA}/download/${media}/b.txt`,
      `${AUTHED_MEDIA}/thumbnail/${media}?width=32&height=32`,
      `${AUTHED_MEDIA}/config`,
      `${AUTHED_MEDIA}/preview_url?url=https%3A%2F%2Fexample.org`,
    ]) {
      const answer = await get(path, user.token);
      expect([answer.status, answer.errcode], path).to.deep.equal([
        unknown.status,
        unknown.errcode,
      ]);
    }
    for (const path of [
      `${LEGACY_MEDIA}/download/${media}`,
      `${LEGACY_MEDIA}/download/${media}/b.txt`,
      `${LEGACY_MEDIA}/thumbnail/${media}?width=32&height=32`,
    ]) {
      expect(await get(path), path).to.deep.include({ status: 200, body: "file body" });
    }
    expect((await get(`${LEGACY_MEDIA}/config`, user.token)).status).to.equal(200);
  });

  it("with legacyMedia false, freezes the legacy downloads and serves the authenticated ones", async () => {
    const { get, user, media } = await start({ legacyMedia: false });
    for (const path of [
      `${LEGACY_MEDIA}/download/${media}`,
      `${LEGACY_MEDIA}/download/${media}/b.txt`,
      `${LEGACY_MEDIA}/thumbnail/${media}?width=32&height=32`,
    ]) {
      expect(await get(path, user.token), path).to.deep.include({
        status: 404,
        errcode: "M_NOT_FOUND",
      });
    }
    const authed = await get(`${AUTHED_MEDIA}/download/${media}`, user.token);
    expect(authed).to.deep.include({ status: 200, body: "file body" });
    expect((await get(`${AUTHED_MEDIA}/config`, user.token)).status).to.equal(200);
  });

  it("refuses an unknown version, and frozen legacy media on a server before v1.11", async () => {
    const refused = async (options: HomeserverOptions) => {
      try {
        homeserver = await TestHomeserver.start(options);
      } catch (error) {
        return (error as Error).message;
      }
      return "started";
    };
    expect(await refused({ newestSpecVersion: "v2.0" as SpecVersion })).to.contain(
      "unknown spec version v2.0",
    );
    expect(await refused({ newestSpecVersion: "v1.10", legacyMedia: false })).to.contain(
      "legacyMedia: false needs v1.11",
    );
  });
});
