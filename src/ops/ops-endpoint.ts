import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log/log.js";
import { botMetricFamilies, type BotReadings } from "./bot-metrics.js";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "./prometheus.js";

/** Whether the bot can do its work, and which check says no. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

/** What the endpoint asks the running bot. */
export interface BotProbe {
  readiness(): Promise<Readiness>;
  readings(): Promise<BotReadings>;
}

export interface OpsEndpointOptions {
  readonly host: string;
  readonly port: number;
  /** The running bot; undefined while it is still starting (then not ready). */
  readonly probe: () => BotProbe | undefined;
  readonly log: Logger;
}

const STARTING: Readiness = { ready: false, checks: { started: false } };

/**
 * The health and metrics endpoint: `/healthz` (the process answers), `/readyz` (200 only when
 * synced with the homeserver and the database answers, else 503) and `/metrics` (Prometheus
 * text, counts only). It has no authentication: bind it to a loopback address.
 */
export class OpsEndpoint {
  private constructor(private readonly server: Server) {}

  static async start(options: OpsEndpointOptions): Promise<OpsEndpoint> {
    const server = createServer((request, response) => {
      answer(request, response, options).catch((error: unknown) => {
        options.log.error("the ops endpoint failed to answer", { error });
        if (!response.headersSent) send(response, 500, "text/plain", "internal error\n");
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new OpsEndpoint(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: OpsEndpointOptions,
): Promise<void> {
  const path = (request.url ?? "/").split("?")[0];
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    send(response, 405, "text/plain", "method not allowed\n");
    return;
  }
  const probe = options.probe();
  switch (path) {
    case "/healthz":
      send(response, 200, "text/plain", "ok\n");
      return;
    case "/readyz": {
      const readiness = (await probe?.readiness()) ?? STARTING;
      const body = { status: readiness.ready ? "ready" : "not ready", checks: readiness.checks };
      send(response, readiness.ready ? 200 : 503, "application/json", `${JSON.stringify(body)}\n`);
      return;
    }
    case "/metrics": {
      const [readiness, readings] = await Promise.all([
        probe?.readiness() ?? STARTING,
        probe?.readings(),
      ]);
      const text = renderPrometheus(botMetricFamilies(readiness.ready, readings));
      send(response, 200, PROMETHEUS_CONTENT_TYPE, text);
      return;
    }
    default:
      send(response, 404, "text/plain", "not found\n");
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}
