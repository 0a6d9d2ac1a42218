/** What matching knows of an incident: metadata only, never its details. */
export interface MatchRequest {
  readonly type: string;
  readonly language: string | null;
  readonly region: string | null;
  /** The reporting partner's organisation: never matched with itself. */
  readonly partnerOrg: string | null;
}

/** A provider organisation as the directory describes it. */
export interface ProviderProfile {
  readonly id: string;
  readonly skills: readonly string[];
  readonly languages: readonly string[];
  readonly regions: readonly string[];
  readonly capacity: number;
}

export type MatchReason =
  | { code: "skill"; type: string }
  | { code: "no-skill"; type: string }
  | { code: "language"; language: string }
  | { code: "region"; region: string }
  | { code: "load"; open: number; capacity: number };

export type Exclusion = "partner-own-organisation" | "conflict" | "declined" | "at-capacity";

export interface Candidate {
  readonly provider: string;
  readonly score: number;
  readonly reasons: readonly MatchReason[];
}

export interface MatchResult {
  readonly candidates: readonly Candidate[];
  readonly excluded: readonly { provider: string; reason: Exclusion }[];
}

export interface MatchContext {
  /** Open cases per provider organisation. */
  readonly openCases: ReadonlyMap<string, number>;
  /** Providers that must not get this case (declared conflicts). */
  readonly conflicts: ReadonlySet<string>;
  /** Providers that already declined this case. */
  readonly declined: ReadonlySet<string>;
}

/** Weights: the skill for the type matters most, then a shared language, then the region. */
const SKILL = 4;
const LANGUAGE = 2;
const REGION = 1;

/**
 * Ranks providers for an incident, each with its reasons. Never the partner's own organisation,
 * a declared conflict, one who declined, or one at capacity. A provider without the skill is
 * still a candidate, ranked lower: for an unusual type there may be no specialist, and DSX
 * decides. Free capacity breaks near-ties (a fraction below one point); then the id, so the
 * result does not depend on the order of the input.
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
    const exclusion: Exclusion | undefined =
      provider.id === request.partnerOrg
        ? "partner-own-organisation"
        : context.conflicts.has(provider.id)
          ? "conflict"
          : context.declined.has(provider.id)
            ? "declined"
            : open >= provider.capacity
              ? "at-capacity"
              : undefined;
    if (exclusion) {
      excluded.push({ provider: provider.id, reason: exclusion });
      continue;
    }
    const reasons: MatchReason[] = [];
    let score = 0;
    if (provider.skills.includes(request.type)) {
      score += SKILL;
      reasons.push({ code: "skill", type: request.type });
    } else {
      reasons.push({ code: "no-skill", type: request.type });
    }
    if (request.language !== null && provider.languages.includes(request.language)) {
      score += LANGUAGE;
      reasons.push({ code: "language", language: request.language });
    }
    if (request.region !== null && provider.regions.includes(request.region)) {
      score += REGION;
      reasons.push({ code: "region", region: request.region });
    }
    score += 0.5 * (1 - open / provider.capacity);
    reasons.push({ code: "load", open, capacity: provider.capacity });
    candidates.push({ provider: provider.id, score, reasons });
  }
  candidates.sort(
    (a, b) => b.score - a.score || (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0),
  );
  excluded.sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0));
  return { candidates, excluded };
}
