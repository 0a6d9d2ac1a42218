/** What matching knows of an incident: metadata only, never its details. */
export interface MatchRequest {
  /** The incident type (an id of the configured incident types). */
  readonly type: string;
  /** The reporter's language, e.g. `es`. */
  readonly language: string | null;
  /** The partner's region, e.g. `latam`. */
  readonly region: string | null;
  /** The reporting partner's organisation: never matched with itself. */
  readonly partnerOrg: string | null;
}

/** A provider organisation as the directory describes it (an `Organisation` fits). */
export interface ProviderProfile {
  readonly id: string;
  readonly skills: readonly string[];
  readonly languages: readonly string[];
  readonly regions: readonly string[];
  /** How many open cases it takes at once. */
  readonly capacity: number;
}

/** Why a candidate ranks where it does, as data for the renderer (`matchReason.<code>`). */
export type MatchReason =
  | { code: "skill"; type: string }
  | { code: "no-skill"; type: string }
  | { code: "language"; language: string }
  | { code: "region"; region: string }
  | { code: "load"; open: number; capacity: number };

/** Why a provider is not offered the case at all; the first that applies, in this order. */
export type Exclusion = "partner-own-organisation" | "conflict" | "declined" | "at-capacity";

/** A provider that may be offered the case. */
export interface Candidate {
  readonly provider: string;
  readonly score: number;
  readonly reasons: readonly MatchReason[];
}

/** Candidates best first (ties by id); excluded providers by id. */
export interface MatchResult {
  readonly candidates: readonly Candidate[];
  readonly excluded: readonly { provider: string; reason: Exclusion }[];
}

/** What the case and the store add to the directory. */
export interface MatchContext {
  /** Open cases per provider organisation (absent: none). */
  readonly openCases: ReadonlyMap<string, number>;
  /** Providers that must not get this case (declared conflicts). */
  readonly conflicts: ReadonlySet<string>;
  /** Providers that already declined this case. */
  readonly declined: ReadonlySet<string>;
}

/**
 * Weights: the skill for the type matters most, then a shared language, then the region; each
 * outweighs all below it together, so a reason never loses to a weaker one.
 */
const SKILL = 4;
const LANGUAGE = 2;
const REGION = 1;
/** Free capacity only breaks ties of fit: it stays below the smallest weight. */
const FREE_CAPACITY = 0.5;

/**
 * Ranks providers for an incident, each with its reasons. Never the partner's own organisation,
 * a declared conflict, one who declined, or one at capacity. A provider without the skill is
 * still a candidate, ranked below every one with it: for an unusual type there may be no
 * specialist, and a person at DSX decides, so the list should show who else could help rather
 * than nothing. Free capacity breaks ties of fit; then the id, so the result does not depend on
 * the order of the input. Names compare without regard to letter case (`ES` and `es`).
 */
export function rankProviders(
  request: MatchRequest,
  providers: readonly ProviderProfile[],
  context: MatchContext,
): MatchResult {
  const candidates: Candidate[] = [];
  const excluded: { provider: string; reason: Exclusion }[] = [];
  for (const provider of providers) {
    const open = context.openCases.get(provider.id) ?? 0;
    const exclusion = exclusionOf(provider, open, request, context);
    if (exclusion) {
      excluded.push({ provider: provider.id, reason: exclusion });
      continue;
    }
    const reasons: MatchReason[] = [];
    let score = 0;
    if (includes(provider.skills, request.type)) {
      score += SKILL;
      reasons.push({ code: "skill", type: request.type });
    } else {
      reasons.push({ code: "no-skill", type: request.type });
    }
    if (request.language !== null && includes(provider.languages, request.language)) {
      score += LANGUAGE;
      reasons.push({ code: "language", language: request.language });
    }
    if (request.region !== null && includes(provider.regions, request.region)) {
      score += REGION;
      reasons.push({ code: "region", region: request.region });
    }
    // capacity > open >= 0 here, so the fraction is in (0, 1].
    score += FREE_CAPACITY * (1 - open / provider.capacity);
    reasons.push({ code: "load", open, capacity: provider.capacity });
    candidates.push({ provider: provider.id, score, reasons });
  }
  candidates.sort((a, b) => b.score - a.score || byId(a.provider, b.provider));
  excluded.sort((a, b) => byId(a.provider, b.provider));
  return { candidates, excluded };
}

function exclusionOf(
  provider: ProviderProfile,
  open: number,
  request: MatchRequest,
  context: MatchContext,
): Exclusion | undefined {
  if (provider.id === request.partnerOrg) return "partner-own-organisation";
  if (context.conflicts.has(provider.id)) return "conflict";
  if (context.declined.has(provider.id)) return "declined";
  if (open >= provider.capacity) return "at-capacity";
  return undefined;
}

function includes(names: readonly string[], name: string): boolean {
  const wanted = name.toLowerCase();
  return names.some((n) => n.toLowerCase() === wanted);
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
