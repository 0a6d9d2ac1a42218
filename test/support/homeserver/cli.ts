import { parseArgs } from "node:util";
import { TestHomeserver } from "./index.js";
import { SPEC_VERSIONS, type SpecVersion } from "./spec-versions.js";

/**
 * `npm run homeserver -- --port 8008 --server-name localhost [--host H] [--admin-token T]
 * [--newest-spec-version v1.10] [--freeze-legacy-media] [--delivery-delay-ms MS]`
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8008" },
      host: { type: "string", default: "127.0.0.1" },
      "server-name": { type: "string", default: "localhost" },
      "admin-token": { type: "string" },
      "log-requests": { type: "boolean", default: false },
      "newest-spec-version": { type: "string" },
      "freeze-legacy-media": { type: "boolean", default: false },
      "delivery-delay-ms": { type: "string", default: "0" },
    },
  });
  const newest = values["newest-spec-version"];
  if (newest !== undefined && !(SPEC_VERSIONS as readonly string[]).includes(newest)) {
    throw new Error(`--newest-spec-version must be one of ${SPEC_VERSIONS.join(", ")}`);
  }
  const deliveryDelayMs = Number(values["delivery-delay-ms"]);
  if (!Number.isFinite(deliveryDelayMs) || deliveryDelayMs < 0) {
    throw new Error(
      `--delivery-delay-ms must be a non-negative number, got ${values["delivery-delay-ms"]}`,
    );
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, got ${values.port}`);
  }
  const server = await TestHomeserver.start({
    port,
    host: values.host,
    serverName: values["server-name"],
    ...(values["admin-token"] === undefined ? {} : { adminToken: values["admin-token"] }),
    ...(values["log-requests"] ? { logRequests: true } : {}),
    ...(newest === undefined ? {} : { newestSpecVersion: newest as SpecVersion }),
    ...(values["freeze-legacy-media"] ? { legacyMedia: false } : {}),
    deliveryDelayMs,
  });
  process.stdout.write(`homeserver ${server.serverName} listening on ${server.url}\n`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`homeserver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
