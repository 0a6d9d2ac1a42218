import { badJson } from "./errors.js";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object at `key`, or `undefined`; a value of another type is a client error. */
export function optObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!isObject(value)) throw badJson(`${key} must be an object`);
  return value;
}

export function optString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badJson(`${key} must be a string`);
  return value;
}

export function reqString(body: JsonObject, key: string): string {
  const value = optString(body, key);
  if (value === undefined) throw badJson(`${key} is required`);
  return value;
}

export function optBoolean(body: JsonObject, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw badJson(`${key} must be a boolean`);
  return value;
}

export function optNumber(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw badJson(`${key} must be a number`);
  return value;
}

export function optStringArray(body: JsonObject, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw badJson(`${key} must be an array of strings`);
  }
  return value;
}

export function optObjectArray(body: JsonObject, key: string): JsonObject[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw badJson(`${key} must be an array of objects`);
  }
  return value;
}

/** A deep copy, so that stored state never aliases a request body or a response. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
