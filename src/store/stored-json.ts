import type { z } from "zod";

/**
 * A stored value without the shape its column promises: a bug or a damaged row. It is never
 * guessed around (a wrong guess could widen an audience); the message names the column and the
 * paths that failed, never the value, which may be sealed case data.
 */
export class CorruptStoredValue extends Error {
  constructor(what: string, paths: readonly string[] = []) {
    super(`${what}: not of the stored shape${paths.length ? ` (at ${paths.join(", ")})` : ""}`);
    this.name = "CorruptStoredValue";
  }
}

/** JSON kept in a column (sealed or not), written and read back through one schema. */
export interface JsonCodec<T> {
  encode(value: T): string;
  /** `of` names the row (a case number), for the error. */
  decode(text: string, of?: string): T;
}

/** The codec of a column's JSON: `decode` refuses loudly what `schema` does not accept. */
export function jsonCodec<T>(what: string, schema: z.ZodType<T>): JsonCodec<T> {
  return {
    encode: (value) => JSON.stringify(value),
    decode: (text, of) => {
      const column = of === undefined ? what : `${what} of ${of}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CorruptStoredValue(column);
      }
      const result = schema.safeParse(parsed);
      if (!result.success)
        throw new CorruptStoredValue(
          column,
          result.error.issues.map((issue) => issue.path.join(".") || "(root)"),
        );
      return result.data;
    },
  };
}
