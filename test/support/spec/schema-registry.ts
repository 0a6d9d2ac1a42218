import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { relative } from "node:path";
import { MATRIX_FORMATS } from "./matrix-formats.js";
import {
  childPointer,
  describeLocation,
  isJsonObject,
  refLocation,
  type JsonObject,
  type SpecDocuments,
  type SpecLocation,
} from "./spec-documents.js";

/** Keywords whose value is a map from names to subschemas. */
const SCHEMA_MAPS = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
]);
/** Keywords whose value is one subschema (or, for draft-4 style `items`, a list of them). */
const SCHEMA_VALUES = new Set([
  "items",
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
]);
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
/** Dropped: every registered node gets its own `$id`, and all of them are 2020-12. */
const DROPPED = new Set(["$id", "$schema"]);

/**
 * Compiles schemas that live anywhere in the spec's files. Each schema node reached (directly
 * or through `$ref`) is registered with ajv once, under an id derived from its file and JSON
 * pointer, with its `$ref`s rewritten to those ids; ajv then resolves references itself,
 * which keeps recursive schemas (cycles) working.
 */
export class SchemaRegistry {
  /** Messages ajv logged while compiling (such as a format nobody defined). */
  readonly warnings: string[] = [];
  private readonly ajv: Ajv2020;
  private readonly registered = new Set<string>();

  constructor(
    private readonly documents: SpecDocuments,
    private readonly specDir: string,
  ) {
    const record = (...args: unknown[]): void => {
      this.warnings.push(args.map(String).join(" "));
    };
    this.ajv = new Ajv2020({
      // OpenAPI adds keywords (`example`, `x-*`, `discriminator`) that JSON Schema lacks.
      strict: false,
      allErrors: true,
      allowUnionTypes: true,
      formats: MATRIX_FORMATS,
      logger: { log: record, warn: record, error: record },
    });
  }

  /** Compiles the schema at a location (throws, naming it, if the schema is broken). */
  compile(location: SpecLocation): ValidateFunction {
    const id = this.register(location);
    try {
      const validate = this.ajv.getSchema(id);
      if (validate === undefined) throw new Error("ajv has no schema under its id");
      return validate;
    } catch (error) {
      throw new Error(`schema ${describeLocation(location)} does not compile: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** The ajv id for a location, registering it and everything it refers to. */
  private register(root: SpecLocation): string {
    const pending = [root];
    for (let location = pending.pop(); location !== undefined; location = pending.pop()) {
      const id = this.idOf(location);
      if (this.registered.has(id)) continue;
      this.registered.add(id);
      const schema = this.rewrite(this.documents.node(location), location, pending);
      if (typeof schema === "boolean") {
        this.ajv.addSchema({ $id: id, ...(schema ? {} : { not: {} }) });
      } else if (isJsonObject(schema)) {
        this.ajv.addSchema({ ...schema, $id: id });
      } else {
        throw new Error(`not a schema: ${describeLocation(location)}`);
      }
    }
    return this.idOf(root);
  }

  private idOf(location: SpecLocation): string {
    const path = relative(this.specDir, location.file).split("\\").join("/");
    const query = location.pointer === "" ? "" : `?at=${encodeURIComponent(location.pointer)}`;
    return `https://matrix-spec.invalid/${encodeURI(path)}${query}`;
  }

  /** A copy of a schema node with its `$ref`s pointing at registry ids. */
  private rewrite(node: unknown, at: SpecLocation, pending: SpecLocation[]): unknown {
    if (Array.isArray(node)) {
      return node.map((item, index) =>
        this.rewrite(item, { ...at, pointer: childPointer(at.pointer, String(index)) }, pending),
      );
    }
    if (!isJsonObject(node)) return node;
    const child = (key: string): SpecLocation => ({
      ...at,
      pointer: childPointer(at.pointer, key),
    });
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key)) continue;
      if (key === "$ref" && typeof value === "string") {
        const target = refLocation(at.file, value);
        pending.push(target);
        copy[key] = this.idOf(target);
      } else if (SCHEMA_MAPS.has(key) && isJsonObject(value)) {
        const map: JsonObject = {};
        for (const [name, sub] of Object.entries(value)) {
          const where = child(key);
          map[name] = this.rewrite(
            sub,
            { ...where, pointer: childPointer(where.pointer, name) },
            pending,
          );
        }
        copy[key] = map;
      } else if (SCHEMA_VALUES.has(key) || SCHEMA_LISTS.has(key)) {
        copy[key] = this.rewrite(value, child(key), pending);
      } else {
        // Annotations, examples, enums, consts: data, never followed for $refs.
        copy[key] = value;
      }
    }
    return copy;
  }
}

/** One line per ajv error: the JSON path in the instance, then what is wrong there. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath === "" ? "(root)" : error.instancePath;
    const detail = describeParams(error);
    return `${path}: ${error.message ?? error.keyword}${detail}`;
  });
}

function describeParams(error: ErrorObject): string {
  const params: unknown = error.params;
  if (!isJsonObject(params)) return "";
  if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
    return ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
  }
  if (error.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    return ` ('${params.additionalProperty}')`;
  }
  return "";
}
