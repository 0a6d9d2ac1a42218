import { expect } from "chai";
import { createClient, type MatrixClient } from "matrix-js-sdk";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  downloadAttachment,
  readAttachment,
  type AttachmentDownload,
  type EncryptedAttachment,
} from "../../../src/matrix/attachments.js";
import { createE2eeClient, type E2eeTestClient } from "../../support/clients/index.js";
import { TestHomeserver } from "../../support/homeserver/index.js";
import { onSynapse, SynapseHomeserver } from "../../support/synapse/synapse-homeserver.js";
import { encryptLikeElement } from "../../support/clients/element-files.js";

const MiB = 1024 * 1024;

describe("encrypted attachments from Element, downloaded by the bot", function () {
  this.timeout(60_000);
  let homeserver: TestHomeserver | SynapseHomeserver;
  let maria: E2eeTestClient;
  let bot: E2eeTestClient;
  let roomId: string;

  before(async () => {
    homeserver = onSynapse() ? await SynapseHomeserver.start() : await TestHomeserver.start();
    maria = await createE2eeClient(homeserver, "maria");
    bot = await createE2eeClient(homeserver, "dsx");
    roomId = await maria.createEncryptedRoom({ invite: [bot.userId], isDirect: true });
    await bot.waitForMembership(roomId, "invite");
    await bot.joinRoom(roomId);
    await maria.waitForMemberState(roomId, bot.userId, "join");
  });

  after(async () => {
    maria.stop();
    bot.stop();
    await homeserver.stop();
  });

  /**
   * Maria sends a file as Element does (encrypted, uploaded, announced in an `m.file` event);
   * resolves with what the bot reads of the event it decrypted. `tamper` changes one byte of
   * the upload after the hash was taken.
   */
  async function sendFile(
    plaintext: Uint8Array,
    name: string,
    tamper = false,
  ): Promise<EncryptedAttachment> {
    const encrypted = await encryptLikeElement(plaintext);
    const upload = Buffer.from(encrypted.data);
    if (tamper) upload[upload.length - 1] = (upload[upload.length - 1] ?? 0) ^ 0x01;
    const { content_uri: url } = await maria.client.uploadContent(upload, {
      type: "application/octet-stream",
      includeFilename: false,
    });
    const eventId = await maria.sendEvent(roomId, "m.room.message", {
      msgtype: "m.file",
      body: name,
      filename: name,
      info: { mimetype: "application/pdf", size: plaintext.length },
      file: { ...encrypted.info, url },
    });
    const event = await bot.waitForEvent(roomId, (e) => e.getId() === eventId);
    expect(event.isEncrypted(), "sent in the encrypted room").to.equal(true);
    const reading = readAttachment(event.getContent());
    if (!reading.ok) expect.fail(`the bot could not read the file: ${reading.problem.code}`);
    return reading.attachment;
  }

  it("decrypts a file byte for byte", async () => {
    const plaintext = Buffer.concat([
      randomBytes(300_000),
      Buffer.from("CANARY-attachment-7f3a"),
      randomBytes(1234),
    ]);
    const attachment = await sendFile(plaintext, "phishing-mail.eml");
    expect(attachment.name).to.equal("phishing-mail.eml");
    expect(attachment.mimetype).to.equal("application/pdf");
    expect(attachment.declaredSize).to.equal(plaintext.length);
    expect(attachment.file.serverName).to.equal(homeserver.serverName);

    const download = await downloadAttachment(bot.client, attachment.file, { maxBytes: MiB });
    expect(bytesOf(download).equals(plaintext)).to.equal(true);
  });

  it("refuses an upload whose hash does not match", async () => {
    const attachment = await sendFile(randomBytes(5000), "tampered.bin", true);
    const download = await downloadAttachment(bot.client, attachment.file, { maxBytes: MiB });
    expect(download).to.deep.equal({ ok: false, problem: { code: "hash-mismatch" } });
  });

  it("refuses a file larger than allowed", async () => {
    const attachment = await sendFile(randomBytes(64 * 1024), "large.bin");
    const download = await downloadAttachment(bot.client, attachment.file, { maxBytes: 1000 });
    expect(download).to.deep.equal({ ok: false, problem: { code: "too-large", maxBytes: 1000 } });
    const exact = await downloadAttachment(bot.client, attachment.file, { maxBytes: 64 * 1024 });
    expect(bytesOf(exact).length).to.equal(64 * 1024);
  });

  it("reports the status of a failed download, and needs the access token", async () => {
    const attachment = await sendFile(randomBytes(100), "small.bin");
    const missing = { ...attachment.file, url: `mxc://${homeserver.serverName}/nosuchmedia` };
    expect(await downloadAttachment(bot.client, missing, { maxBytes: MiB })).to.deep.equal({
      ok: false,
      problem: { code: "download-failed", status: 404, errcode: "M_NOT_FOUND" },
    });
    const stranger = {
      mxcUrlToHttp: bot.client.mxcUrlToHttp.bind(bot.client),
      isVersionSupported: bot.client.isVersionSupported.bind(bot.client),
      getAccessToken: () => "not-a-token",
    };
    // Only authenticated media checks the token: the older endpoint (Synapse 1.67) serves anyone.
    if (await bot.client.isVersionSupported("v1.11"))
      expect(await downloadAttachment(stranger, attachment.file, { maxBytes: MiB })).to.deep.equal({
        ok: false,
        problem: { code: "download-failed", status: 401, errcode: "M_UNKNOWN_TOKEN" },
      });
  });
});

describe("attachment downloads from a misbehaving media server", function () {
  this.timeout(30_000);
  let server: Server;
  let client: MatrixClient;
  let requests: { path: string; authorization: string | undefined }[];
  let closed: Promise<number>;
  let behaviour: (req: IncomingMessage, res: ServerResponse) => void;
  /** The spec versions the server advertises at `/versions`. */
  let advertised: string[];

  beforeEach(async () => {
    requests = [];
    advertised = ["v1.1", "v1.11"];
    server = createServer((req, res) => {
      if (req.url === "/_matrix/client/versions") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ versions: advertised }));
        return;
      }
      requests.push({ path: req.url ?? "", authorization: req.headers.authorization });
      behaviour(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    client = createClient({
      baseUrl: `http://127.0.0.1:${String(port)}`,
      accessToken: "bot-token",
    });
  });

  afterEach(async () => {
    client.stopClient();
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  /** Streams without end (and without Content-Length); resolves with the bytes written. */
  function streamForever(res: ServerResponse): Promise<number> {
    return new Promise((resolve) => {
      let written = 0;
      const chunk = randomBytes(16 * 1024);
      const pump = (): void => {
        while (!res.destroyed && written < 1024 * MiB) {
          written += chunk.length;
          if (!res.write(chunk)) return;
        }
      };
      res.on("drain", pump);
      res.on("close", () => {
        resolve(written);
      });
      res.writeHead(200, { "Content-Type": "application/octet-stream" });
      pump();
    });
  }

  const file = {
    url: "mxc://media.example/abcDEF",
    serverName: "media.example",
    mediaId: "abcDEF",
    key: randomBytes(32),
    iv: Buffer.alloc(16),
    sha256: randomBytes(32),
  };

  it("stops reading an endless body once it passes the limit", async () => {
    behaviour = (_req, res) => {
      closed = streamForever(res);
    };
    const download = await downloadAttachment(client, file, { maxBytes: 100_000 });
    expect(download).to.deep.equal({
      ok: false,
      problem: { code: "too-large", maxBytes: 100_000 },
    });
    expect(await closed).to.be.lessThan(64 * MiB);
    expect(requests).to.deep.equal([
      {
        path: "/_matrix/client/v1/media/download/media.example/abcDEF?allow_redirect=true",
        authorization: "Bearer bot-token",
      },
    ]);
  });

  it("refuses at once a body that declares a length above the limit", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "Content-Length": String(50 * MiB) });
      res.write(randomBytes(1000));
      closed = new Promise((resolve) => {
        res.on("close", () => {
          resolve(1000);
        });
      });
    };
    const download = await downloadAttachment(client, file, { maxBytes: MiB });
    expect(download).to.deep.equal({ ok: false, problem: { code: "too-large", maxBytes: MiB } });
    await closed;
  });

  it("gives up on a server that does not answer in time", async () => {
    behaviour = () => undefined;
    const download = await downloadAttachment(client, file, { maxBytes: MiB, timeoutMs: 300 });
    expect(download).to.deep.equal({
      ok: false,
      problem: { code: "download-failed", status: null, errcode: null },
    });
  });

  it("downloads from the older endpoint where the server does not advertise v1.11 (Synapse 1.67)", async () => {
    advertised = ["v1.1", "v1.2"];
    behaviour = (_req, res) => {
      res.writeHead(200).end(randomBytes(100));
    };
    const download = await downloadAttachment(client, file, { maxBytes: MiB });
    expect(download).to.deep.equal({ ok: false, problem: { code: "hash-mismatch" } });
    expect(requests.map((r) => r.path)).to.deep.equal([
      "/_matrix/media/v3/download/media.example/abcDEF?allow_redirect=true",
    ]);
    expect(requests[0]?.authorization).to.equal("Bearer bot-token");
  });

  it("falls back to the older endpoint when the newer is not recognised after all", async () => {
    behaviour = (req, res) => {
      if (req.url?.startsWith("/_matrix/client/v1/media/") === true) {
        res.writeHead(400, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }));
      } else res.writeHead(200).end(randomBytes(100));
    };
    const download = await downloadAttachment(client, file, { maxBytes: MiB });
    expect(download).to.deep.equal({ ok: false, problem: { code: "hash-mismatch" } });
    expect(requests.map((r) => r.path)).to.deep.equal([
      "/_matrix/client/v1/media/download/media.example/abcDEF?allow_redirect=true",
      "/_matrix/media/v3/download/media.example/abcDEF?allow_redirect=true",
    ]);
  });

  it("refuses a descriptor that no longer holds a valid key, IV or URL", async () => {
    behaviour = () => expect.fail("nothing should be requested");
    for (const bad of [
      { ...file, key: randomBytes(16) },
      { ...file, iv: randomBytes(12) },
      { ...file, sha256: randomBytes(20) },
      { ...file, url: "https://media.example/abcDEF" },
    ]) {
      const download = await downloadAttachment(client, bad, { maxBytes: MiB });
      expect(download.ok).to.equal(false);
      expect(!download.ok && download.problem.code).to.equal("bad-descriptor");
    }
    expect(requests).to.deep.equal([]);
  });
});

function bytesOf(download: AttachmentDownload): Buffer {
  if (!download.ok) expect.fail(`download refused: ${JSON.stringify(download.problem)}`);
  return Buffer.from(download.bytes);
}
