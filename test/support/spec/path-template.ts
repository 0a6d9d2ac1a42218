/**
 * A path template of the spec, such as `/_matrix/client/v3/rooms/{roomId}/messages`, matched
 * against concrete request paths. Each `{param}` stands for exactly one URL-encoded segment;
 * a template's final parameter whose description says the trailing slash is optional may
 * also be left off entirely (the empty state key of `/state/{eventType}/{stateKey}`).
 */
export class PathTemplate {
  private readonly segments: readonly Segment[];

  constructor(
    readonly template: string,
    optionalTrailingParams: ReadonlySet<string> = new Set(),
  ) {
    this.segments = template
      .split("/")
      .slice(1)
      .map((text) => {
        const param = /^\{([^{}]+)\}$/.exec(text)?.[1];
        return param === undefined
          ? { kind: "literal", text }
          : { kind: "param", name: param, optionalAtEnd: optionalTrailingParams.has(param) };
      });
  }

  /** How many literal segments the template has: the more, the more specific a match. */
  get literalCount(): number {
    return this.segments.filter((segment) => segment.kind === "literal").length;
  }

  /**
   * The decoded path parameters if `path` (no query string, still URL-encoded) fits the
   * template, else undefined.
   */
  match(path: string): Record<string, string> | undefined {
    const parts = path.split("/").slice(1);
    const last = this.segments.at(-1);
    if (parts.length === this.segments.length - 1 && last?.kind === "param" && last.optionalAtEnd) {
      parts.push("");
    }
    if (parts.length !== this.segments.length) return undefined;
    const params: Record<string, string> = {};
    for (const [index, segment] of this.segments.entries()) {
      const part = parts[index] ?? "";
      if (segment.kind === "literal") {
        if (part !== segment.text) return undefined;
        continue;
      }
      const isLast = index === this.segments.length - 1;
      if (part === "" && !(isLast && segment.optionalAtEnd)) return undefined;
      const decoded = decodeSegment(part);
      if (decoded === undefined) return undefined;
      params[segment.name] = decoded;
    }
    return params;
  }
}

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "param"; readonly name: string; readonly optionalAtEnd: boolean };

function decodeSegment(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
