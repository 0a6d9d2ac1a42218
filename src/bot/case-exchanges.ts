import type { ExchangeResolver } from "../matrix/outbox.js";
import { parseCaseId, type CaseKind } from "../store/case-numbers.js";

/** One resolver for every kind of case: the case id's prefix says which workflow knows it. */
export function caseExchanges(
  byKind: Partial<Record<CaseKind, ExchangeResolver>>,
): ExchangeResolver {
  return {
    exchangeOf: (caseId, roomId) => {
      const parsed = parseCaseId(caseId);
      const resolver = parsed === undefined ? undefined : byKind[parsed.kind];
      return resolver
        ? resolver.exchangeOf(parsed?.id ?? caseId, roomId)
        : Promise.resolve(undefined);
    },
  };
}
