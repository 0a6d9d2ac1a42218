import {
  isJsonObject,
  refLocation,
  type JsonObject,
  type SpecDocuments,
} from "./spec-documents.js";

const MAX_DEPTH = 32;

/**
 * Expands the `$ref`s inside a spec example value the way the spec's renderer does: the
 * referenced example is loaded (relative to the file the example sits in) and the keys
 * written beside `$ref` override its keys. Example files chain (`m.room.member.yaml` refers
 * to `core/state_event.json`, which refers to `room_event.json`), so this recurses.
 */
export function expandExample(value: unknown, file: string, documents: SpecDocuments): unknown {
  return expand(value, file, documents, 0);
}

function expand(value: unknown, file: string, documents: SpecDocuments, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error(`example $refs nest deeper than ${MAX_DEPTH} in ${file}`);
  if (Array.isArray(value)) return value.map((item) => expand(item, file, documents, depth + 1));
  if (!isJsonObject(value)) return value;
  const result: JsonObject = {};
  if (typeof value.$ref === "string") {
    const target = refLocation(file, value.$ref);
    const base = expand(documents.node(target), target.file, documents, depth + 1);
    // A reference with nothing beside it stands for the referenced value, whatever it is.
    if (Object.keys(value).length === 1) return base;
    if (!isJsonObject(base)) throw new Error(`example $ref ${value.$ref} in ${file} is no object`);
    Object.assign(result, base);
  }
  for (const [key, sub] of Object.entries(value)) {
    if (key !== "$ref") result[key] = expand(sub, file, documents, depth + 1);
  }
  return result;
}
