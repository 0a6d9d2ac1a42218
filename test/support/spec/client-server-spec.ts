import type { ValidateFunction } from "ajv/dist/2020.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { EventSchemas, type EventCheck, type EventContext } from "./event-schemas.js";
import { PathTemplate } from "./path-template.js";
import { formatAjvErrors, SchemaRegistry } from "./schema-registry.js";
import { matrixSpecDir } from "./spec-location.js";
import { expandExample } from "./spec-examples.js";
import {
  childPointer,
  isJsonObject,
  SpecDocuments,
  type JsonObject,
  type SpecLocation,
} from "./spec-documents.js";

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
const JSON_MEDIA_TYPE = "application/json";

/** A response the spec documents for one operation and status. */
export interface DocumentedResponse {
  /** `"200"`, `"404"`... as written in the spec. */
  readonly status: string;
  /** The media types the spec gives for the body (none when there is no body). */
  readonly mediaTypes: readonly string[];
  /** The JSON body schema's validator; undefined when the body is not JSON or absent. */
  readonly validate: ValidateFunction | undefined;
  /** Examples given under the response's `application/json` content, `$ref`s expanded. */
  readonly examples: readonly { readonly name: string; readonly value: unknown }[];
}

/** One (method, path template) of one spec file. */
export interface SpecOperation {
  readonly method: string;
  readonly path: PathTemplate;
  /** The spec file, relative to data/api/client-server. */
  readonly file: string;
  readonly responses: readonly DocumentedResponse[];
}

/** The outcome of checking one response against the spec. */
export interface ResponseCheck {
  /** The operation the request matched, e.g. `GET /_matrix/client/v3/rooms/{roomId}/messages`. */
  readonly matched: string;
  readonly pathParams: Readonly<Record<string, string>>;
  /**
   * What the body was checked against: the operation's own schema for that status, the
   * spec's standard error body (for a 4xx/5xx the operation does not list, like the 401
   * every authenticated endpoint may return), or nothing (no JSON body is specified).
   */
  readonly checkedAgainst: "operation" | "standard-error" | "nothing";
  readonly errors: readonly string[];
}

/** The Matrix client-server API as the spec describes it, with validators. */
export class ClientServerSpec {
  constructor(
    /** The client-server files read, relative to data/api/client-server. */
    readonly files: readonly string[],
    readonly operations: readonly SpecOperation[],
    private readonly standardError: ValidateFunction,
    private readonly rateLimitedError: ValidateFunction,
    private readonly events: EventSchemas,
    /** What ajv logged while compiling: empty unless the spec uses something unhandled. */
    readonly compileWarnings: readonly string[],
  ) {}

  /** The operations (one or more, when two spec files document the same one) a request hits. */
  findOperations(
    method: string,
    concretePath: string,
  ): { operations: SpecOperation[]; params: Record<string, string> } | undefined {
    const path = concretePath.split("?")[0] ?? "";
    const wanted = method.toLowerCase();
    let best: { operations: SpecOperation[]; params: Record<string, string> } | undefined;
    let bestLiterals = -1;
    for (const candidate of [path, toggleTrailingSlash(path)]) {
      for (const operation of this.operations) {
        if (operation.method !== wanted) continue;
        const params = operation.path.match(candidate);
        if (params === undefined) continue;
        const literals = operation.path.literalCount;
        if (
          best !== undefined &&
          literals === bestLiterals &&
          best.operations[0]?.path.template === operation.path.template
        ) {
          best.operations.push(operation);
        } else if (literals > bestLiterals) {
          best = { operations: [operation], params };
          bestLiterals = literals;
        }
      }
      // A trailing slash differing from the spec's is tried only when nothing matched exactly.
      if (best !== undefined) return best;
    }
    return undefined;
  }

  /**
   * Checks a JSON response body. `concretePath` is the request path as sent (URL-encoded,
   * query string allowed). Undefined when the spec has no such (method, path): the caller
   * decides whether that is a problem.
   */
  validateResponse(
    method: string,
    concretePath: string,
    status: number,
    body: unknown,
  ): ResponseCheck | undefined {
    const found = this.findOperations(method, concretePath);
    const first = found?.operations[0];
    if (found === undefined || first === undefined) return undefined;
    const matched = `${first.method.toUpperCase()} ${first.path.template}`;
    const base = { matched, pathParams: found.params };
    const documented = found.operations.flatMap((operation) =>
      operation.responses.filter((response) => response.status === String(status)),
    );
    if (documented.length === 0) {
      if (status < 400) {
        return {
          ...base,
          checkedAgainst: "nothing",
          errors: [`status ${status} is not documented for ${matched}`],
        };
      }
      return {
        ...base,
        checkedAgainst: "standard-error",
        errors: this.validateStandardError(status, body),
      };
    }
    const validators = documented.flatMap((response) => response.validate ?? []);
    if (validators.length === 0) return { ...base, checkedAgainst: "nothing", errors: [] };
    const failures: string[] = [];
    for (const validate of validators) {
      if (validate(body)) return { ...base, checkedAgainst: "operation", errors: [] };
      failures.push(...formatAjvErrors(validate.errors));
    }
    return { ...base, checkedAgainst: "operation", errors: failures };
  }

  /**
   * Checks an error body against the spec's standard error (`errcode`, `error`; 429 adds
   * `retry_after_ms`), for responses no operation documents, such as an unknown endpoint's.
   */
  validateStandardError(status: number, body: unknown): string[] {
    const validate = status === 429 ? this.rateLimitedError : this.standardError;
    return validate(body) ? [] : formatAjvErrors(validate.errors);
  }

  /** Checks an event against the spec's schema for its type; undefined if there is none. */
  validateEvent(event: unknown, context?: EventContext): EventCheck | undefined {
    return this.events.validate(event, context);
  }

  /** The event schemas, for their own examples and counts. */
  get eventSchemas(): EventSchemas {
    return this.events;
  }

  /** How many response body schemas were compiled. */
  get responseSchemaCount(): number {
    return this.operations.reduce(
      (sum, operation) => sum + operation.responses.filter((r) => r.validate).length,
      0,
    );
  }
}

/**
 * Reads every client-server API file of the spec and compiles a validator for each JSON
 * response body, and one per event schema. Throws, listing every file that failed, rather
 * than skipping any.
 */
export async function loadClientServerSpec(specDir = matrixSpecDir()): Promise<ClientServerSpec> {
  // Async so callers need not change if loading ever moves off the synchronous fs API.
  await Promise.resolve();
  const documents = new SpecDocuments();
  const registry = new SchemaRegistry(documents, specDir);
  const folder = join(specDir, "data", "api", "client-server");
  const files = readdirSync(folder)
    .filter((file) => file.endsWith(".yaml"))
    .sort();
  const operations: SpecOperation[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      operations.push(...readOperations(join(folder, file), file, documents, registry));
    } catch (error) {
      problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let events: EventSchemas | undefined;
  try {
    events = new EventSchemas(specDir, documents, registry);
  } catch (error) {
    problems.push(`event schemas: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0 || events === undefined) {
    throw new Error(`the Matrix spec did not load:\n${problems.join("\n")}`);
  }
  const errorFolder = join(folder, "definitions", "errors");
  return new ClientServerSpec(
    files,
    operations,
    registry.compile({ file: join(errorFolder, "error.yaml"), pointer: "" }),
    registry.compile({ file: join(errorFolder, "rate_limited.yaml"), pointer: "" }),
    events,
    registry.warnings,
  );
}

function readOperations(
  path: string,
  file: string,
  documents: SpecDocuments,
  registry: SchemaRegistry,
): SpecOperation[] {
  const root = documents.file(path);
  if (!isJsonObject(root) || !isJsonObject(root.paths)) throw new Error("no `paths` object");
  const prefix = serverPrefix(root);
  const operations: SpecOperation[] = [];
  for (const [template, item] of Object.entries(root.paths)) {
    if (!isJsonObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isJsonObject(operation)) continue;
      const at = childPointer(childPointer(childPointer("", "paths"), template), method);
      operations.push({
        method,
        path: new PathTemplate(prefix + template, optionalTrailingParams(operation, item)),
        file,
        responses: readResponses(operation, { file: path, pointer: at }, documents, registry),
      });
    }
  }
  return operations;
}

/** The path prefix the file's first server gives, e.g. `/_matrix/client/v3`. */
function serverPrefix(root: JsonObject): string {
  const server: unknown = Array.isArray(root.servers) ? root.servers[0] : undefined;
  if (!isJsonObject(server) || typeof server.url !== "string") throw new Error("no `servers` url");
  const variables = isJsonObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^{}]+)\}/g, (_whole, name: string) => {
    const variable = variables[name];
    const value = isJsonObject(variable) ? variable.default : undefined;
    if (typeof value !== "string") throw new Error(`server variable ${name} has no default`);
    return value;
  });
  const pathname = url.startsWith("/") ? url : new URL(url).pathname;
  return pathname.replace(/\/$/, "");
}

/** Path parameters documented as allowed to be empty with the trailing slash left off. */
function optionalTrailingParams(operation: JsonObject, item: JsonObject): Set<string> {
  const params: unknown[] = [item.parameters, operation.parameters].flatMap((list: unknown) =>
    Array.isArray(list) ? (list as unknown[]) : [],
  );
  const names = new Set<string>();
  for (const param of params) {
    if (
      isJsonObject(param) &&
      param.in === "path" &&
      typeof param.name === "string" &&
      typeof param.description === "string" &&
      /trailing slash[^.]*optional/i.test(param.description)
    ) {
      names.add(param.name);
    }
  }
  return names;
}

function readResponses(
  operation: JsonObject,
  at: SpecLocation,
  documents: SpecDocuments,
  registry: SchemaRegistry,
): DocumentedResponse[] {
  if (!isJsonObject(operation.responses)) return [];
  const responsesAt = { ...at, pointer: childPointer(at.pointer, "responses") };
  return Object.keys(operation.responses).map((status) => {
    const { location, node } = documents.deref({
      ...responsesAt,
      pointer: childPointer(responsesAt.pointer, status),
    });
    const content = isJsonObject(node) && isJsonObject(node.content) ? node.content : {};
    const mediaTypes = Object.keys(content);
    const media = content[JSON_MEDIA_TYPE];
    if (!isJsonObject(media) || media.schema === undefined) {
      return { status, mediaTypes, validate: undefined, examples: [] };
    }
    const mediaAt = childPointer(childPointer(location.pointer, "content"), JSON_MEDIA_TYPE);
    return {
      status,
      mediaTypes,
      validate: registry.compile({ file: location.file, pointer: childPointer(mediaAt, "schema") }),
      examples: readExamples(media, { file: location.file, pointer: mediaAt }, documents),
    };
  });
}

function readExamples(
  media: JsonObject,
  at: SpecLocation,
  documents: SpecDocuments,
): { name: string; value: unknown }[] {
  const examples: { name: string; value: unknown }[] = [];
  if ("example" in media) {
    examples.push({ name: "example", value: expandExample(media.example, at.file, documents) });
  }
  const named = isJsonObject(media.examples) ? media.examples : {};
  for (const name of Object.keys(named)) {
    const { location, node } = documents.deref({
      file: at.file,
      pointer: childPointer(childPointer(at.pointer, "examples"), name),
    });
    // An example object carries `value` (or `externalValue`, which the spec never uses here).
    if (isJsonObject(node) && "value" in node) {
      examples.push({ name, value: expandExample(node.value, location.file, documents) });
    }
  }
  return examples;
}

function toggleTrailingSlash(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : `${path}/`;
}
