import { z } from "zod";

/**
 * The keys the schema knows at a key path (`["bot"]`, `["organisations", 0]`), so that an unknown
 * key can be answered with the one meant. Defaults, optionals and transforms are looked through;
 * a union offers the keys of all its options.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly (string | number)[]): string[] {
  let current = [schema];
  for (const part of path) {
    current = current.flatMap(unwrap).flatMap((node) => {
      if (typeof part === "number") return node instanceof z.ZodArray ? [node.element] : [];
      if (!(node instanceof z.ZodObject)) return [];
      const child = (node.shape as Record<string, z.core.$ZodType | undefined>)[part];
      return child === undefined ? [] : [child];
    });
  }
  const keys = current
    .flatMap(unwrap)
    .flatMap((node) => (node instanceof z.ZodObject ? Object.keys(node.shape) : []));
  return [...new Set(keys)];
}

/** The object, array or other node a wrapper stands for (several for a union). */
function unwrap(node: z.core.$ZodType): z.core.$ZodType[] {
  if (
    node instanceof z.ZodDefault ||
    node instanceof z.ZodPrefault ||
    node instanceof z.ZodOptional
  )
    return unwrap(node.unwrap());
  if (node instanceof z.ZodPipe) return unwrap(node.in);
  if (node instanceof z.ZodUnion) return node.options.flatMap(unwrap);
  return [node];
}
