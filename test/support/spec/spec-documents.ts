import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

/** A place in the spec: an absolute file path and a JSON pointer inside it ("" = whole file). */
export interface SpecLocation {
  readonly file: string;
  readonly pointer: string;
}

/** A JSON object as parsed from YAML or JSON. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Turns a `$ref` written in `fromFile` into the location it names. */
export function refLocation(fromFile: string, ref: string): SpecLocation {
  const hash = ref.indexOf("#");
  const filePart = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? "" : decodeURIComponent(ref.slice(hash + 1));
  const file = filePart === "" ? fromFile : resolve(dirname(fromFile), filePart);
  return { file, pointer };
}

export function describeLocation(location: SpecLocation): string {
  return location.pointer === "" ? location.file : `${location.file}#${location.pointer}`;
}

/**
 * The spec's YAML and JSON files, parsed once each. YAML is a superset of JSON, so one parser
 * reads both.
 */
export class SpecDocuments {
  private readonly parsed = new Map<string, unknown>();

  /** The parsed content of an absolute file path; throws with the path if it cannot be read. */
  file(path: string): unknown {
    if (this.parsed.has(path)) return this.parsed.get(path);
    let content: unknown;
    try {
      content = parseYaml(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(`cannot read spec file ${path}: ${String(error)}`, { cause: error });
    }
    this.parsed.set(path, content);
    return content;
  }

  /** The node at a location; throws naming the location if the pointer leads nowhere. */
  node(location: SpecLocation): unknown {
    let node = this.file(location.file);
    if (location.pointer === "") return node;
    if (!location.pointer.startsWith("/")) {
      throw new Error(`unsupported JSON pointer in ${describeLocation(location)}`);
    }
    for (const token of location.pointer.slice(1).split("/")) {
      const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
      const next: unknown = Array.isArray(node)
        ? node[Number(key)]
        : isJsonObject(node)
          ? node[key]
          : undefined;
      if (next === undefined) throw new Error(`dangling $ref: ${describeLocation(location)}`);
      node = next;
    }
    return node;
  }

  /**
   * Follows a chain of `$ref`s on a non-schema OpenAPI object (a response, an example) until
   * the object itself. Guards against a chain that loops.
   */
  deref(location: SpecLocation): { location: SpecLocation; node: unknown } {
    const seen = new Set<string>();
    let current = location;
    for (;;) {
      const node = this.node(current);
      if (!isJsonObject(node) || typeof node.$ref !== "string") return { location: current, node };
      const key = describeLocation(current);
      if (seen.has(key)) throw new Error(`$ref cycle through ${key}`);
      seen.add(key);
      current = refLocation(current.file, node.$ref);
    }
  }
}

/** Appends one token to a JSON pointer, escaping it. */
export function childPointer(pointer: string, token: string): string {
  return `${pointer}/${token.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}
