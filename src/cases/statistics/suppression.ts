/**
 * Which cells of a breakdown (incidents by type, vulnerabilities by stage) are hidden, so that
 * no hidden count can be computed back from the shown ones and the total.
 *
 * What a reader knows: the total (shown when at least `minimum`), the categories listed (each
 * counts at least 1), the shown cells, and that every hidden cell shows the same marker. With
 * k hidden cells whose sum is R (the total minus the shown cells), each hidden cell lies in
 * [1, R - (k - 1)]: it is determined exactly when k = 1 or R = k (all ones). So the rule is:
 * hide no cell, or at least two whose sum exceeds their number. Cells below `minimum` are hidden
 * (primary); while the rule fails, the smallest shown cell is hidden too (complementary). Since
 * hidden cells are never larger than shown ones, knowing the method adds nothing: a bound of the
 * smallest shown cell would need every hidden cell to equal it, and one of them is below it.
 * When no choice of cells satisfies the rule, or the total itself is below `minimum` (then each
 * cell is bounded by `minimum - 1` and a few of them would add up to it), the breakdown is
 * hidden as a whole.
 */
export interface Suppression {
  /** Categories whose count is hidden. */
  readonly hidden: ReadonlySet<string>;
  /** The breakdown is not shown at all (neither categories nor counts). */
  readonly wholeHidden: boolean;
}

export function suppress(cells: ReadonlyMap<string, number>, minimum: number): Suppression {
  const total = [...cells.values()].reduce((a, b) => a + b, 0);
  if (cells.size > 0 && total < minimum)
    return { hidden: new Set(cells.keys()), wholeHidden: true };
  const hidden = new Set([...cells].filter(([, count]) => count < minimum).map(([key]) => key));
  const shownBySize = [...cells]
    .filter(([key]) => !hidden.has(key))
    .sort(([a, x], [b, y]) => x - y || a.localeCompare(b));
  const hiddenSum = () => [...hidden].reduce((sum, key) => sum + (cells.get(key) ?? 0), 0);
  const determined = () => hidden.size === 1 || (hidden.size > 1 && hiddenSum() === hidden.size);
  while (determined()) {
    const next = shownBySize.shift();
    if (next === undefined) return { hidden: new Set(cells.keys()), wholeHidden: true };
    hidden.add(next[0]);
  }
  return { hidden, wholeHidden: false };
}
