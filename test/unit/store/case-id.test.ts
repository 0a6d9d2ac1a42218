import { expect } from "chai";
import fc from "fast-check";
import { CASE_KINDS, formatCaseId, parseCaseId } from "../../../src/store/case-numbers.js";

const kind = fc.constantFrom(...CASE_KINDS);
const year = fc.integer({ min: 1000, max: 9999 });
const number = fc.integer({ min: 1, max: 999_999_999 });

describe("store/case-numbers: case ids", () => {
  it("writes at least four digits, more when needed", () => {
    expect(formatCaseId("INC", 2026, 1)).to.equal("INC-2026-0001");
    expect(formatCaseId("VUL", 2026, 42)).to.equal("VUL-2026-0042");
    expect(formatCaseId("COC", 2027, 9999)).to.equal("COC-2027-9999");
    expect(formatCaseId("ALR", 2026, 10_000)).to.equal("ALR-2026-10000");
  });

  it("property: format and parse round-trip, in any letter case", () => {
    fc.assert(
      fc.property(kind, year, number, fc.boolean(), (k, y, n, lower) => {
        const id = formatCaseId(k, y, n);
        const parsed = parseCaseId(lower ? id.toLowerCase() : id);
        expect(parsed).to.deep.equal({ kind: k, year: y, number: n, id });
      }),
    );
  });

  it("property: any text that parses is the canonical id, give or take letter case", () => {
    const near = fc.stringMatching(/^[A-Za-z]{3}-\d{3,5}-\d{3,10}$/);
    fc.assert(
      fc.property(fc.oneof(near, fc.string()), (text) => {
        const parsed = parseCaseId(text);
        if (parsed) expect(parsed.id).to.equal(text.toUpperCase());
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses everything else", () => {
    for (const bad of [
      "",
      "INC",
      "INC-2026",
      "INC-2026-1",
      "INC-2026-001",
      "INC-2026-0000",
      "INC-2026-00001",
      "INC-2026-01000",
      "INC-26-0001",
      "INC-0999-0001",
      "INC-20260-0001",
      "XYZ-2026-0001",
      "INCI-2026-0001",
      "INC_2026_0001",
      "INC 2026 0001",
      "INC-2026-0001x",
      " INC-2026-0001",
      "INC-2026-0001 ",
      "INC-2026-0001\n",
      "INC-2026-１２３４",
      "INC-2026-1234567890",
    ]) {
      expect(parseCaseId(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });
});
