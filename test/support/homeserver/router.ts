import type { IncomingHttpHeaders } from "node:http";
import { MatrixError, unrecognized } from "./errors.js";
import type { JsonObject } from "./json.js";

/** The authenticated user and device behind an access token. */
export interface Requester {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

/** What a route handler receives. */
export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body; `{}` when the request had none. */
  readonly body: JsonObject;
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly requester: Requester | undefined;
  /** Aborted when the client goes away (long-polls stop waiting). */
  readonly signal: AbortSignal;
}

export interface AuthedContext extends RequestContext {
  readonly requester: Requester;
}

export type Reply =
  | { readonly status?: number; readonly json: unknown }
  | {
      readonly status?: number;
      readonly raw: Buffer;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export type Handler<C> = (ctx: C) => Reply | Promise<Reply>;

/** One endpoint: method, path pattern (`:name` segments, a trailing `:name?` may be empty). */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly auth: "required" | "none";
  /** `raw` routes (media upload) receive the body unparsed. */
  readonly body: "json" | "raw";
  readonly handle: Handler<RequestContext>;
}

/** A route that needs an access token. */
export function authed(method: string, path: string, handle: Handler<AuthedContext>): Route {
  return {
    method,
    path,
    auth: "required",
    body: "json",
    handle: (ctx) => {
      if (ctx.requester === undefined) throw new Error("authed route reached without requester");
      return handle(ctx as AuthedContext);
    },
  };
}

/** A route open to anyone. */
export function open(method: string, path: string, handle: Handler<RequestContext>): Route {
  return { method, path, auth: "none", body: "json", handle };
}

export const json = (body: unknown, status = 200): Reply => ({ status, json: body });

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/** Finds the route for a method and path; unknown paths and methods answer `M_UNRECOGNIZED`. */
export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => ({ route, segments: route.path.split("/") }));
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const actual = path.split("/");
    let pathKnown = false;
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, actual);
      if (params === undefined) continue;
      pathKnown = true;
      if (compiled.route.method === method) return { route: compiled.route, params };
    }
    throw pathKnown ? unrecognized(405) : unrecognized(404);
  }
}

function matchSegments(
  pattern: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  const last = pattern[pattern.length - 1] ?? "";
  const optionalTail = last.startsWith(":") && last.endsWith("?");
  const lengthOk =
    actual.length === pattern.length || (optionalTail && actual.length === pattern.length - 1);
  if (!lengthOk) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? "";
    const a = actual[i] ?? "";
    if (p.startsWith(":")) {
      params[p.slice(1).replace(/\?$/, "")] = decodeSegment(a);
    } else if (p !== a) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MatrixError(400, "M_INVALID_PARAM", "Malformed percent-encoding in path");
  }
}
