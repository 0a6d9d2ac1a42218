import { IDBKeyRange as FakeIDBKeyRange } from "fake-indexeddb";
import type { KeyPath } from "./fake-internals.js";

/** A key range or a single key, in a form that survives `v8.serialize`. */
export type SerializedKeyQuery =
  | { kind: "key"; key: unknown }
  | { kind: "range"; lower: unknown; upper: unknown; lowerOpen: boolean; upperOpen: boolean };

/**
 * One effect of a committed IndexedDB transaction, in the order it happened. Store and index names
 * are those at the time of the operation, so renames replay correctly.
 */
export type JournalOperation =
  | { op: "version"; version: number }
  | { op: "createStore"; store: string; keyPath: KeyPath | null; autoIncrement: boolean }
  | { op: "deleteStore"; store: string }
  | { op: "renameStore"; store: string; to: string }
  | {
      op: "createIndex";
      store: string;
      index: string;
      keyPath: KeyPath;
      unique: boolean;
      multiEntry: boolean;
    }
  | { op: "deleteIndex"; store: string; index: string }
  | { op: "renameIndex"; store: string; index: string; to: string }
  | { op: "put"; store: string; key: unknown; value: unknown }
  | { op: "delete"; store: string; query: SerializedKeyQuery }
  | { op: "clear"; store: string }
  /**
   * An aborted transaction's advance of a key generator: IndexedDB does not roll generators back
   * on abort, so neither may a restart.
   */
  | { op: "keyGenerator"; store: string; next: number };

/** One journal row: a committed transaction of one database, or a deleted database. */
export type JournalEntry =
  | { kind: "transaction"; database: string; operations: JournalOperation[] }
  | { kind: "deleteDatabase"; database: string };

export function serializeKeyQuery(query: unknown): SerializedKeyQuery {
  if (query instanceof FakeIDBKeyRange) {
    return {
      kind: "range",
      lower: query.lower,
      upper: query.upper,
      lowerOpen: query.lowerOpen,
      upperOpen: query.upperOpen,
    };
  }
  return { kind: "key", key: query };
}

export function deserializeKeyQuery(query: SerializedKeyQuery): unknown {
  if (query.kind === "key") return query.key;
  // fake-indexeddb's own constructor, as its static helpers use; lower/upper may be undefined.
  const Range = FakeIDBKeyRange as unknown as new (
    lower: unknown,
    upper: unknown,
    lowerOpen: boolean,
    upperOpen: boolean,
  ) => IDBKeyRange;
  return new Range(query.lower, query.upper, query.lowerOpen, query.upperOpen);
}
