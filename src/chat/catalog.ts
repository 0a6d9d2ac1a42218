import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_LANGUAGE } from "../config/default-language.js";
import { packageRoot } from "../config/package-root.js";

/** A piece of text by its catalogue key, with the values of its placeholders. */
export interface Text {
  readonly key: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

/**
 * The message catalogues (`config/messages/<language>.yaml`): every text the bot says, per
 * language. A key missing in a language falls back to English; a key missing in English is a
 * bug, and rendering it throws.
 */
export class Catalog {
  private constructor(
    private readonly languages: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {}

  static load(folder = join(packageRoot, "config", "messages")): Catalog {
    const languages = new Map<string, ReadonlyMap<string, string>>();
    for (const file of readdirSync(folder)
      .filter((f) => f.endsWith(".yaml"))
      .sort()) {
      languages.set(
        basename(file, ".yaml"),
        flatten(parse(readFileSync(join(folder, file), "utf8")) as unknown),
      );
    }
    if (!languages.has(DEFAULT_LANGUAGE))
      throw new Error(`no ${DEFAULT_LANGUAGE}.yaml in ${folder}`);
    return new Catalog(languages);
  }

  /** Language codes with a catalogue, e.g. `["en", "es"]`. */
  get available(): string[] {
    return [...this.languages.keys()];
  }

  keys(language: string): string[] {
    return [...(this.languages.get(language)?.keys() ?? [])];
  }

  has(language: string): boolean {
    return this.languages.has(language);
  }

  /** Whether a key exists (in the language or in English): for texts named by configuration. */
  hasKey(language: string, key: string): boolean {
    return (
      (this.languages.get(language)?.has(key) ?? false) ||
      (this.languages.get(DEFAULT_LANGUAGE)?.has(key) ?? false)
    );
  }

  /** The template of a key, before its placeholders are filled. */
  template(language: string, key: string): string {
    const template =
      this.languages.get(language)?.get(key) ?? this.languages.get(DEFAULT_LANGUAGE)?.get(key);
    if (template === undefined) throw new Error(`message key not in the catalogue: ${key}`);
    return template;
  }
}

function flatten(
  tree: unknown,
  prefix = "",
  into = new Map<string, string>(),
): Map<string, string> {
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) {
    throw new Error(`message catalogue: expected a mapping at ${prefix || "the top"}`);
  }
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") into.set(path, value);
    else flatten(value, path, into);
  }
  return into;
}
