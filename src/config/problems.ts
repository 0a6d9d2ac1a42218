/** One thing wrong with a configuration file, at a key path such as `rooms.triage`. */
export interface ConfigProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** `organisations[1].members[0]`: the way a person finds the key in the YAML file. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

export function formatProblem(problem: ConfigProblem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}
