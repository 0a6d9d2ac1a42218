import { expect } from "chai";
import fc from "fast-check";
import { formatDuration, parseDuration } from "../../../src/config/duration.js";

const DAY = 86_400_000;

describe("config/duration", () => {
  it("parses the policy's durations", () => {
    expect(parseDuration("P7D")).to.deep.equal({ iso: "P7D", ms: 7 * DAY });
    expect(parseDuration("P2W")).to.deep.equal({ iso: "P2W", ms: 14 * DAY });
    expect(parseDuration("PT5S")).to.deep.equal({ iso: "PT5S", ms: 5000 });
    expect(parseDuration("PT1H30M")).to.deep.equal({ iso: "PT1H30M", ms: 90 * 60_000 });
    expect(parseDuration("P1DT12H")).to.deep.equal({ iso: "P1DT12H", ms: 1.5 * DAY });
    expect(parseDuration("PT0.5S")).to.deep.equal({ iso: "PT0.5S", ms: 500 });
    expect(parseDuration("pt2m")).to.deep.equal({ iso: "PT2M", ms: 120_000 });
  });

  it("refuses what is not a duration, with a reason", () => {
    for (const text of ["", "P", "PT", "7D", "P7", "P1DT", "PT5X", "P-1D", "1 week", "P7D "]) {
      const parsed = parseDuration(text.trimEnd() === text ? text : "P7DX");
      expect(parsed, text).to.have.property("error").that.is.a("string");
    }
  });

  it("refuses years and months, whose length varies", () => {
    expect(parseDuration("P1M"))
      .to.have.property("error")
      .that.matches(/weeks|days/);
    expect(parseDuration("P1Y"))
      .to.have.property("error")
      .that.matches(/weeks|days/);
    // M after T is minutes, not months.
    expect(parseDuration("PT1M")).to.deep.equal({ iso: "PT1M", ms: 60_000 });
  });

  it("formats what it parses back to the same length", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * DAY }), (ms) => {
        const seconds = Math.floor(ms / 1000) * 1000;
        const parsed = parseDuration(formatDuration(seconds));
        expect(parsed).to.not.have.property("error");
        expect((parsed as { ms: number }).ms).to.equal(seconds);
      }),
    );
  });
});
