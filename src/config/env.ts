import type { ConfigProblem } from "./problems.js";

/**
 * Replaces `${NAME}` in every string of a parsed YAML tree with the environment's value.
 * A reference to an unset (or empty) variable is reported at its key path: the caller decides
 * whether that is an error (starting the bot) or a note (checking a file on another machine).
 * `$${NAME}` stands for the literal text `${NAME}`.
 */
export function substituteEnv(
  tree: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; unset: ConfigProblem[] } {
  const unset: ConfigProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      return node.replace(
        /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g,
        (whole, escape: string, name: string) => {
          if (escape === "$") return whole.slice(1);
          const value = env[name];
          if (value === undefined || value === "") {
            unset.push({ path, message: `environment variable ${name} is not set` });
            return "";
          }
          return value;
        },
      );
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(tree, []), unset };
}
