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

  it("starts alone on a free port, serves clients and test hooks, and stops on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      [cliPath, "--port", "0", "--server-name", "cli.test", "--admin-token", "t0ken"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const url = await new Promise<string>((resolve, reject) => {
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
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const http = new MatrixHttp(url);
    const user = await http.register("cli_user");
    expect(user.userId).to.equal("@cli_user:cli.test");
    const hook = await http.request("POST", "/_dsxtest/faults", { body: {}, token: "t0ken" });
    expect(hook.status).to.equal(200);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code).to.equal(0);
  });
});
