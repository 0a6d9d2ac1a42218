import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { MatrixError } from "./errors.js";
import type { Faults } from "./faults.js";
import { isObject, type JsonObject } from "./json.js";
import type { Reply, Requester, RouteTable } from "./router.js";
import type { HomeserverState } from "./state/homeserver-state.js";

const TEST_HOOK_PREFIX = "/_dsxtest/";
const MAX_BODY_BYTES = 50 * 1024 * 1024;

export interface FrontendOptions {
  readonly host: string;
  readonly adminToken: string | undefined;
  /** Logs method, path and status of every request to stderr. */
  readonly log: boolean;
}

/**
 * The HTTP side: listens, tracks connections (so they can be dropped), applies faults, resolves
 * access tokens, parses bodies, dispatches to routes and turns errors into spec error bodies.
 */
export class HttpFrontend {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  /** Connections carrying a test-hook request: faults (drops included) never touch them. */
  private readonly hookSockets = new Set<Socket>();

  constructor(
    private readonly hs: HomeserverState,
    private readonly routes: RouteTable,
    private readonly testHooks: RouteTable,
    private readonly faults: Faults,
    private readonly options: FrontendOptions,
  ) {}

  /** Starts listening; returns the bound port. */
  listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.options.host, () => {
        const address = server.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Requests received and not yet answered (long-polls included). */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Destroys every connection except those serving test hooks. */
  dropConnections(): void {
    for (const socket of this.sockets) {
      if (this.hookSockets.has(socket)) continue;
      socket.destroy();
      this.sockets.delete(socket);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const abort = new AbortController();
    res.on("close", () => {
      abort.abort();
    });
    this.inFlight += 1;
    let reply: Reply;
    try {
      if (method === "OPTIONS") {
        reply = { json: {} };
      } else if (url.pathname.startsWith(TEST_HOOK_PREFIX)) {
        this.hookSockets.add(req.socket);
        try {
          reply = await this.dispatchTestHook(req, url, method, abort.signal);
        } finally {
          this.hookSockets.delete(req.socket);
        }
      } else {
        const failWith = await this.faults.gate(abort.signal, url.pathname);
        if (failWith !== undefined) {
          throw new MatrixError(failWith, "M_UNKNOWN", "Injected fault");
        }
        reply = await this.dispatch(this.routes, req, url, method, abort.signal);
      }
    } catch (error) {
      reply = errorReply(error);
    } finally {
      this.inFlight -= 1;
    }
    if (this.options.log) {
      process.stderr.write(`[homeserver] ${method} ${url.pathname} ${reply.status ?? 200}\n`);
    }
    send(res, reply);
  }

  private async dispatchTestHook(
    req: IncomingMessage,
    url: URL,
    method: string,
    signal: AbortSignal,
  ): Promise<Reply> {
    const token = this.options.adminToken;
    if (token === undefined) throw new MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request");
    if (bearerToken(req, url) !== token) {
      throw new MatrixError(403, "M_FORBIDDEN", "Test hooks need the admin token");
    }
    return this.dispatch(this.testHooks, req, url, method, signal, true);
  }

  private async dispatch(
    table: RouteTable,
    req: IncomingMessage,
    url: URL,
    method: string,
    signal: AbortSignal,
    skipAuth = false,
  ): Promise<Reply> {
    const { route, params } = table.match(method, url.pathname);
    let requester: Requester | undefined;
    if (route.auth === "required" && !skipAuth) {
      const token = bearerToken(req, url);
      if (token === undefined) throw new MatrixError(401, "M_MISSING_TOKEN", "Missing token");
      requester = this.hs.accounts.resolveToken(token);
      if (requester === undefined) {
        throw new MatrixError(401, "M_UNKNOWN_TOKEN", "Unknown access token", {
          soft_logout: false,
        });
      }
    }
    const rawBody = await readBody(req);
    const body = route.body === "json" ? parseJsonBody(rawBody) : {};
    return route.handle({
      method,
      path: url.pathname,
      params,
      query: url.searchParams,
      body,
      rawBody,
      headers: req.headers,
      requester,
      signal,
    });
  }
}

function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ") === true) return header.slice("Bearer ".length);
  return url.searchParams.get("access_token") ?? undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new MatrixError(413, "M_TOO_LARGE", "Request too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(raw: Buffer): JsonObject {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new MatrixError(400, "M_NOT_JSON", "Content not JSON.");
  }
  if (!isObject(parsed)) throw new MatrixError(400, "M_BAD_JSON", "Content must be a JSON object");
  return parsed;
}

function errorReply(error: unknown): Reply {
  if (error instanceof MatrixError) return { status: error.status, json: error.body() };
  process.stderr.write(`[homeserver] internal error: ${String(error)}\n`);
  if (error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  return { status: 500, json: { errcode: "M_UNKNOWN", error: "Internal server error" } };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization");
  if ("raw" in reply) {
    res.writeHead(reply.status ?? 200, { "Content-Type": reply.contentType, ...reply.headers });
    res.end(reply.raw);
    return;
  }
  const body = JSON.stringify(reply.json);
  res.writeHead(reply.status ?? 200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
