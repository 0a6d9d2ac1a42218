/** A bare client-server API caller for tests, speaking HTTP as curl would. */
export interface HttpAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

export class MatrixHttp {
  constructor(readonly baseUrl: string) {}

  async request(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /** Registers through the user-interactive flow; returns the login answer. */
  async register(
    localpart: string,
    password = `${localpart}-password`,
  ): Promise<{ userId: string; token: string; deviceId: string }> {
    const challenge = await this.request("POST", "/_matrix/client/v3/register", {
      body: { username: localpart, password },
    });
    const done = await this.request("POST", "/_matrix/client/v3/register", {
      body: {
        username: localpart,
        password,
        auth: { type: "m.login.dummy", session: challenge.json.session },
      },
    });
    if (done.status !== 200) throw new Error(`register failed: ${JSON.stringify(done.json)}`);
    return {
      userId: String(done.json.user_id),
      token: String(done.json.access_token),
      deviceId: String(done.json.device_id),
    };
  }

  /** `path` under `/_matrix/client/v3`, with `token`; throws unless 200. */
  async ok(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const answer = await this.request(method, `/_matrix/client/v3${path}`, {
      token,
      ...(body === undefined ? {} : { body }),
    });
    if (answer.status !== 200) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
    }
    return answer.json;
  }

  /** `path` under `/_matrix/client/v3`; returns status and body whatever they are. */
  call(method: string, path: string, token: string, body?: unknown): Promise<HttpAnswer> {
    return this.request(method, `/_matrix/client/v3${path}`, {
      token,
      ...(body === undefined ? {} : { body }),
    });
  }

  sync(token: string, query = ""): Promise<Record<string, unknown>> {
    return this.ok("GET", `/sync${query === "" ? "" : `?${query}`}`, token);
  }
}

let txnCounter = 0;

/** A fresh transaction id. */
export function txn(): string {
  txnCounter += 1;
  return `t${Date.now()}-${txnCounter}`;
}

/** Reads a nested property path of a JSON answer (`undefined` if absent). */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const enc = encodeURIComponent;
