import { expect } from "chai";
import fc from "fast-check";
import { otherReporters } from "../../../../src/cases/conduct/repeats.js";

describe("repeats about one person: distinct other reporters", () => {
  it("counts one account's many reports once, and never the reporter's own", () => {
    expect(otherReporters(["a", "a", "a"], "b")).to.equal(1);
    expect(otherReporters(["a", "a", "b"], "a")).to.equal(1);
    expect(otherReporters(["a", "a"], "a")).to.equal(0);
    expect(otherReporters([], null)).to.equal(0);
  });

  it("counts each report made before reporters were kept as a reporter of its own", () => {
    expect(otherReporters([null, null, "a"], "b")).to.equal(3);
  });

  it("property: the count is the number of other distinct reporters, whatever the repeats", () => {
    const reporter = fc.constantFrom("a", "b", "c", "d", "e");
    fc.assert(
      fc.property(fc.array(reporter, { maxLength: 30 }), reporter, (others, mine) => {
        const expected = new Set(others.filter((r) => r !== mine)).size;
        expect(otherReporters(others, mine)).to.equal(expected);
        // Filing more reports oneself, or repeating an existing reporter, changes nothing.
        expect(otherReporters([...others, mine, ...others], mine)).to.equal(expected);
      }),
    );
  });
});
