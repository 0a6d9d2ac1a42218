import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { MatrixHttp } from "./matrix-http.js";

const cliPath = fileURLToPath(new URL("../../support/homeserver/cli.js", import.meta.url));

describe("test homeserver CLI", () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  });

  /** Starts the CLI with `args` and resolves with the URL it prints. */
  function startCli(args: readonly string[]): Promise<string> {
    child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    return new Promise<string>((resolve, reject) => {
      let output = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child?.once("exit", (code) => {
        reject(new Error(`CLI exited early with ${String(code)}`));
      });
    });
  }

  it("starts alone on a free port, serves clients and test hooks, and stops on SIGTERM", async () => {
    const url = await startCli([
      "--port",
      "0",
      "--server-name",
      "cli.test",
      "--admin-token",
      "t0ken",
    ]);
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const http = new MatrixHttp(url);
    const user = await http.register("cli_user");
    expect(user.userId).to.equal("@cli_user:cli.test");
    const hook = await http.request("POST", "/_dsxtest/faults", { body: {}, token: "t0ken" });
    expect(hook.status).to.equal(200);

    if (child === undefined) throw new Error("no CLI process");
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code).to.equal(0);
  });

  it("advertises spec versions up to --newest-spec-version, without authenticated media below v1.11", async () => {
    const http = new MatrixHttp(await startCli(["--port", "0", "--newest-spec-version", "v1.10"]));
    const versions = await http.request("GET", "/_matrix/client/versions");
    expect(versions.json.versions).to.include("v1.10").and.not.include("v1.11");
    const user = await http.register("cli_user");
    const config = await http.request("GET", "/_matrix/client/v1/media/config", {
      token: user.token,
    });
    expect([config.status, config.json.errcode]).to.deep.equal([404, "M_UNRECOGNIZED"]);
    const legacy = await http.request("GET", "/_matrix/media/v3/config", { token: user.token });
    expect(legacy.status).to.equal(200);
  });
});
