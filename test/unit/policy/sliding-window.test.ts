import { expect } from "chai";
import fc from "fast-check";
import { decide, type WindowLimit } from "../../../src/policy/sliding-window.js";

const limit = fc.record({
  count: fc.integer({ min: 1, max: 8 }),
  withinMs: fc.integer({ min: 1, max: 10_000 }),
});

/** Feeds attempts in time order through the rule; the times it took. */
function run(attempts: readonly number[], rule: WindowLimit): { taken: number[]; held: number[] } {
  const taken: number[] = [];
  const held: number[] = [];
  for (const at of [...attempts].sort((a, b) => a - b)) {
    const decision = decide(taken, rule, at);
    if (decision.ok) taken.push(at);
    else {
      expect(decision.retryAt).to.be.greaterThan(at);
      held.push(at);
    }
  }
  return { taken, held };
}

describe("the sliding-window limit", () => {
  it("takes up to `count` at once, then holds back until the first leaves the window", () => {
    const rule = { count: 3, withinMs: 1000 };
    expect(decide([], rule, 0)).to.deep.equal({ ok: true });
    expect(decide([0, 10, 20], rule, 30)).to.deep.equal({ ok: false, retryAt: 1000 });
    expect(decide([0, 10, 20], rule, 1000)).to.deep.equal({ ok: true });
    expect(decide([0, 10, 20, 1000], rule, 1005)).to.deep.equal({ ok: false, retryAt: 1010 });
  });

  it("property: no window of `withinMs` ever holds more than `count` taken events", () => {
    fc.assert(
      fc.property(
        limit,
        fc.array(fc.integer({ min: 0, max: 50_000 }), { maxLength: 60 }),
        (rule, attempts) => {
          const { taken } = run(attempts, rule);
          for (const start of taken) {
            const inside = taken.filter((at) => at >= start && at < start + rule.withinMs);
            expect(inside.length).to.be.at.most(rule.count);
          }
        },
      ),
    );
  });

  it("property: the time told is the first at which the event is taken", () => {
    fc.assert(
      fc.property(
        limit,
        fc.array(fc.integer({ min: 0, max: 50_000 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 60_000 }),
        (rule, attempts, now) => {
          const { taken } = run(
            attempts.filter((at) => at <= now),
            rule,
          );
          const decision = decide(taken, rule, now);
          if (decision.ok) return;
          expect(decide(taken, rule, decision.retryAt).ok).to.equal(true);
          expect(decide(taken, rule, decision.retryAt - 1).ok).to.equal(false);
        },
      ),
    );
  });

  it("property: someone who spaces their attempts `withinMs / count` apart is never held back", () => {
    fc.assert(
      fc.property(limit, fc.nat(40), (rule, n) => {
        const gap = Math.ceil(rule.withinMs / rule.count);
        const { held } = run(
          Array.from({ length: n }, (_, i) => i * gap),
          rule,
        );
        expect(held).to.deep.equal([]);
      }),
    );
  });
});
