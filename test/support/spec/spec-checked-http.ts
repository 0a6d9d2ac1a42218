import type { ClientServerSpec } from "./client-server-spec.js";
import { isJsonObject } from "./spec-documents.js";

/** One request of a conformance scenario. */
export interface CheckedRequest {
  readonly method: string;
  /** The path as sent: URL-encoded, query string allowed. */
  readonly path: string;
  readonly token?: string;
  /** Sent as JSON; ignored when `raw` is given. */
  readonly json?: unknown;
  readonly raw?: { readonly bytes: Uint8Array; readonly contentType: string };
  /** The status the scenario expects; any other is recorded as a problem. */
  readonly expect: number;
  /** Set for a path the spec deliberately lacks (probing unknown endpoints). */
  readonly notInSpec?: true;
}

/** A response as the scenario sees it. */
export interface CheckedResponse {
  readonly status: number;
  readonly contentType: string;
  /** The parsed body for JSON responses, else undefined. */
  readonly json: unknown;
  readonly bytes: Uint8Array;
}

/**
 * Plain `fetch` against a homeserver, checking every JSON response against the spec and
 * collecting each problem (rather than failing at the first) so one run lists them all.
 */
export class SpecCheckedHttp {
  readonly problems: string[] = [];
  /** The spec operations that answered, e.g. `GET /_matrix/client/v3/sync`. */
  readonly hits = new Set<string>();
  /** Event types that were checked against a schema of their own. */
  readonly checkedEventTypes = new Set<string>();

  constructor(
    private readonly spec: ClientServerSpec,
    private readonly baseUrl: string,
  ) {}

  async request(request: CheckedRequest): Promise<CheckedResponse> {
    const headers: Record<string, string> = {};
    if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
    let body: Uint8Array<ArrayBuffer> | string | undefined;
    if (request.raw !== undefined) {
      headers["Content-Type"] = request.raw.contentType;
      body = new Uint8Array(request.raw.bytes);
    } else if (request.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(request.json);
    }
    const label = `${request.method} ${request.path.split("?")[0] ?? ""}`;
    const response = await fetch(this.baseUrl + request.path, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const contentType = response.headers.get("content-type") ?? "";
    const isJson = /^application\/json\b/.test(contentType);
    let json: unknown;
    if (isJson) {
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        this.problems.push(`${label} -> ${response.status}: body is not valid JSON`);
      }
    }
    const result = { status: response.status, contentType, json, bytes };
    if (response.status !== request.expect) {
      const shown = isJson ? JSON.stringify(json) : `(${contentType || "no content type"})`;
      this.problems.push(`${label}: expected ${request.expect}, got ${response.status} ${shown}`);
    }
    if (isJson) this.checkJson(request, label, response.status, json);
    else this.checkOther(request, label, response.status, contentType);
    return result;
  }

  /** Records a problem the scenario found itself (such as a missing event in a sync). */
  report(problem: string): void {
    this.problems.push(problem);
  }

  /**
   * Checks an event against its type's schema, if the spec has one. `roomId` is the room an
   * event came from inside `/sync`, where events carry no `room_id`.
   */
  checkEvent(where: string, event: unknown, roomId?: string): void {
    const check = this.spec.validateEvent(event, roomId === undefined ? {} : { roomId });
    const type = isJsonObject(event) ? String(event.type) : "?";
    if (check !== undefined) this.checkedEventTypes.add(type);
    for (const error of check?.errors ?? []) this.problems.push(`${where} (${type}): ${error}`);
  }

  /** A response that is not JSON: fine only where the spec documents a non-JSON body. */
  private checkOther(request: CheckedRequest, label: string, status: number, type: string): void {
    const found = this.spec.findOperations(request.method, request.path);
    const operation = found?.operations[0];
    if (found === undefined || operation === undefined) {
      if (request.notInSpec !== true) {
        this.problems.push(`${label} -> ${status}: no such operation in the spec`);
      }
      return;
    }
    const matched = `${operation.method.toUpperCase()} ${operation.path.template}`;
    this.hits.add(matched);
    const documented = found.operations.flatMap((op) =>
      op.responses.filter((response) => response.status === String(status)),
    );
    const wantsJson = documented.some((response) =>
      response.mediaTypes.includes("application/json"),
    );
    if (wantsJson || (documented.length === 0 && status >= 400)) {
      this.problems.push(
        `${matched} -> ${status}: content type "${type}", the spec gives a JSON body`,
      );
    }
  }

  private checkJson(request: CheckedRequest, label: string, status: number, json: unknown): void {
    const check = this.spec.validateResponse(request.method, request.path, status, json);
    if (check === undefined) {
      if (request.notInSpec !== true) {
        this.problems.push(`${label} -> ${status}: no such operation in the spec`);
        return;
      }
      for (const error of this.spec.validateStandardError(status, json)) {
        this.problems.push(`${label} -> ${status} [standard error]: ${error}`);
      }
      return;
    }
    this.hits.add(check.matched);
    const against = check.checkedAgainst === "standard-error" ? " [standard error]" : "";
    for (const error of check.errors) {
      this.problems.push(`${check.matched} -> ${status}${against}: ${error}`);
    }
  }
}
