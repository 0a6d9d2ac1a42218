import { readFile } from "node:fs/promises";
import { isAbsolute, resolve, dirname } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { acceptedSections, sectionsOf } from "./accepted-sections.js";
import { closestWord } from "./closest-word.js";
import { checkConsistency } from "./consistency.js";
import { knownKeysAt } from "./known-keys.js";
import { substituteEnv } from "./env.js";
import type { ConfigProblem } from "./problems.js";
import { configSchema, type BotConfig } from "./schema.js";

export type ConfigResult =
  | { ok: true; config: BotConfig; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[] };

export interface ConfigOptions {
  /**
   * Whether a `${NAME}` whose variable is unset is an error (the default, as when starting the
   * bot). When false, as for `check-config` on a machine without the secrets, it is a warning
   * and the value behind it is not checked.
   */
  requireEnv?: boolean;
}

/**
 * Reads, substitutes and validates a configuration file. Every problem found is returned (not
 * only the first), each with its key path; a missing or unreadable file is one problem at the
 * top level. Relative paths in the file (state directory, SQLite file) are taken from the
 * file's own folder, so the bot behaves the same from any working directory.
 */
export async function loadConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ConfigOptions = {},
): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : String(code ?? error);
    return { ok: false, problems: [{ path: [], message: `cannot read ${file}: ${reason}` }] };
  }
  const result = parseConfigText(text, env, options);
  if (!result.ok) return result;
  return { ...result, config: resolvePaths(result.config, dirname(resolve(file))) };
}

/** Validates configuration text (YAML); see {@link loadConfigFile}. */
export function parseConfigText(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  { requireEnv = true }: ConfigOptions = {},
): ConfigResult {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => ({
        path: [],
        message: `YAML syntax: ${e.message.split("\n")[0] ?? e.code}${e.linePos ? ` (line ${e.linePos[0].line})` : ""}`,
      })),
    };
  }
  const tree: unknown = document.toJS();
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) {
    return { ok: false, problems: [{ path: [], message: "expected a YAML mapping of keys" }] };
  }
  const substituted = substituteEnv(tree, env);
  const unset = substituted.unset;
  const value = requireEnv ? substituted.value : withPlaceholders(substituted.value, unset);
  const unsetPaths = new Set(unset.map((p) => JSON.stringify(p.path)));
  const parsed = configSchema.safeParse(value, { reportInput: true });
  const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  // A value behind an unset variable fails the schema too; it is reported once, as unset.
  const problems = [
    ...(requireEnv ? unset : []),
    ...schemaProblems.filter((p) => !unsetPaths.has(JSON.stringify(p.path))),
  ];
  if (!parsed.success && problems.length === 0) problems.push(...unset);
  // The rules that span keys are checked on whatever is valid, so every problem shows at once.
  const unknownKeys = parsed.success ? [] : parsed.error.issues.flatMap(unknownKeyPaths);
  problems.push(
    ...checkConsistency(
      parsed.success ? sectionsOf(parsed.data) : acceptedSections(value, unknownKeys),
    ),
  );
  if (problems.length > 0 || !parsed.success)
    return { ok: false, problems: dedupeByPath(problems) };
  return { ok: true, config: parsed.data, warnings: requireEnv ? [] : unset };
}

function keyPath(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.map((p) => (typeof p === "number" ? p : String(p)));
}

function unknownKeyPaths(issue: z.core.$ZodIssue): (string | number)[][] {
  return issue.code === "unrecognized_keys"
    ? issue.keys.map((key) => [...keyPath(issue), key])
    : [];
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = keyPath(issue);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(configSchema, path);
    return issue.keys.map((key) => {
      const meant = closestWord(key, known);
      const message = meant === undefined ? "unknown key" : `unknown key (did you mean ${meant}?)`;
      return { path: [...path, key], message };
    });
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [{ path, message: `missing: expected ${issue.expected}` }];
  }
  if (
    issue.code === "invalid_union" &&
    "note" in issue &&
    issue.note === "No matching discriminator"
  ) {
    return [{ path, message: "expected sqlite or postgres" }];
  }
  return [{ path, message: issue.message.replace(/^Invalid (?:input|option): /, "") }];
}

/**
 * Secrets are meant to come from the environment, so a file can be checked on a machine that
 * does not have them: each unset secret gets a value of the right shape, and only for that check.
 */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  '["bot","accessToken"]': "placeholder-token",
  '["bot","password"]': "placeholder-password",
  '["bot","storePassphrase"]': "placeholder-passphrase",
  '["dataKey"]': Buffer.alloc(32).toString("base64"),
  '["database","url"]': "postgres://placeholder@localhost/placeholder",
};

function withPlaceholders(tree: unknown, unset: readonly ConfigProblem[]): unknown {
  let result = tree;
  for (const { path } of unset) {
    const placeholder = SECRET_PLACEHOLDERS[JSON.stringify(path)];
    if (placeholder !== undefined) result = setAt(result, path, placeholder);
  }
  return result;
}

function setAt(tree: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(tree) && typeof head === "number") {
    return tree.map((item: unknown, i) => (i === head ? setAt(item, rest, value) : item));
  }
  if (tree !== null && typeof tree === "object") {
    const record = tree as Record<string, unknown>;
    return { ...record, [head]: setAt(record[head], rest, value) };
  }
  return tree;
}

function dedupeByPath(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function resolvePaths(config: BotConfig, base: string): BotConfig {
  const stateDir = isAbsolute(config.bot.stateDir)
    ? config.bot.stateDir
    : resolve(base, config.bot.stateDir);
  const database =
    config.database.type === "sqlite"
      ? {
          type: "sqlite" as const,
          path:
            config.database.path === undefined
              ? resolve(stateDir, "dsx.sqlite")
              : isAbsolute(config.database.path)
                ? config.database.path
                : resolve(base, config.database.path),
        }
      : config.database;
  return { ...config, bot: { ...config.bot, stateDir }, database };
}
