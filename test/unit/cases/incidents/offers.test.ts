import { expect } from "chai";
import { humanDuration } from "../../../../src/cases/incidents/offers.js";
import { outcomeOf } from "../../../../src/cases/incidents/ticket-rooms.js";

describe("cases/incidents offers and closing words", () => {
  it("says an offer's time as people do", () => {
    expect(humanDuration(24 * 3600_000)).to.equal("1 day");
    expect(humanDuration(12 * 3600_000)).to.equal("12 hours");
    expect(humanDuration(90_000)).to.equal("90 seconds");
    expect(humanDuration(4000)).to.equal("4 seconds");
    expect(humanDuration(1)).to.equal("1 second");
    expect(humanDuration(2500)).to.equal("3 seconds");
  });

  it("keeps only the outcome category of a closing text", () => {
    expect(outcomeOf("resolved, the page was taken down")).to.equal("resolved");
    expect(outcomeOf("Referred to a lawyer")).to.equal("referred");
    expect(outcomeOf("no-response")).to.equal("no-response");
    expect(outcomeOf("our director's phone is back")).to.equal("other");
    expect(outcomeOf("   ")).to.equal("resolved");
  });
});
