import { expect } from "chai";
import fc from "fast-check";
import { suppress } from "../../../../src/cases/statistics/suppression.js";

/**
 * The values a reader could still take a hidden cell for, knowing the total, the shown cells,
 * that every listed cell counts at least 1 and (knowing the method) that no hidden cell is
 * larger than the smallest shown one: each value v such that the other hidden cells, each
 * within those bounds, can make up the rest.
 */
function possibleValues(cells: ReadonlyMap<string, number>, hidden: ReadonlySet<string>) {
  const shown = [...cells].filter(([key]) => !hidden.has(key)).map(([, count]) => count);
  const total = [...cells.values()].reduce((a, b) => a + b, 0);
  const rest = total - shown.reduce((a, b) => a + b, 0);
  const highest = shown.length === 0 ? rest : Math.min(...shown);
  const others = hidden.size - 1;
  const values: number[] = [];
  for (let v = 1; v <= Math.min(rest, highest); v++)
    if (others <= rest - v && rest - v <= others * highest) values.push(v);
  return values;
}

describe("statistics: hidden cells cannot be computed back", () => {
  it("for any counts and minimum, no hidden count is determined by the shown numbers", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f"), { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (keys, counts, minimum) => {
          const cells = new Map(keys.map((key, i) => [key, counts[i] ?? 1]));
          const total = counts.slice(0, keys.length).reduce((a, b) => a + b, 0);
          const { hidden, wholeHidden } = suppress(cells, minimum);
          if (wholeHidden) return;
          expect(
            total >= minimum || cells.size === 0,
            "a small total hides the breakdown",
          ).to.equal(true);
          for (const [key, count] of cells)
            if (count < minimum) expect(hidden.has(key), `${key} is small`).to.equal(true);
          expect(hidden.size).to.not.equal(1);
          for (const key of hidden)
            expect(possibleValues(cells, hidden), key).to.have.length.of.at.least(2);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("hides the next smallest cell beside a lone small one", () => {
    const { hidden, wholeHidden } = suppress(
      new Map([
        ["malware", 1],
        ["phishing", 4],
        ["account", 9],
      ]),
      3,
    );
    expect(wholeHidden).to.equal(false);
    expect([...hidden].sort()).to.deep.equal(["malware", "phishing"]);
  });

  it("hides a breakdown whose small cells are all ones and nothing else could join them", () => {
    const cells = new Map([
      ["malware", 1],
      ["phishing", 1],
      ["account", 1],
    ]);
    expect(suppress(cells, 3).wholeHidden).to.equal(true);
  });

  it("hides a breakdown of a total below the minimum", () => {
    const cells = new Map([
      ["malware", 1],
      ["phishing", 1],
    ]);
    expect(suppress(cells, 3).wholeHidden).to.equal(true);
  });
});
