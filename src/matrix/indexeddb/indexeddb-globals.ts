import {
  IDBCursor,
  IDBCursorWithValue,
  IDBDatabase,
  IDBFactory,
  IDBIndex,
  IDBKeyRange,
  IDBObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
} from "fake-indexeddb";

/**
 * Sets the IndexedDB globals to `factory` and the fake-indexeddb classes it is made of (the wasm
 * bindings of matrix-sdk-crypto read `indexedDB`, call `IDBKeyRange.bound/lowerBound/upperBound`
 * and check `instanceof IDBDatabase/IDBRequest/IDBOpenDBRequest/IDBCursor/IDBCursorWithValue`;
 * matrix-js-sdk reads `IDBKeyRange` and `indexedDB`). Returns a function restoring the previous
 * globals.
 */
export function installIndexedDBGlobals(factory: IDBFactory): () => void {
  const globals: Record<string, unknown> = {
    indexedDB: factory,
    IDBCursor,
    IDBCursorWithValue,
    IDBDatabase,
    IDBFactory,
    IDBIndex,
    IDBKeyRange,
    IDBObjectStore,
    IDBOpenDBRequest,
    IDBRequest,
    IDBTransaction,
    IDBVersionChangeEvent,
  };
  const previous = new Map<string, PropertyDescriptor | undefined>();
  for (const [name, value] of Object.entries(globals)) {
    previous.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return () => {
    for (const [name, descriptor] of previous) {
      if (descriptor === undefined) Reflect.deleteProperty(globalThis, name);
      else Object.defineProperty(globalThis, name, descriptor);
    }
  };
}
