import { expect } from "chai";
import { outcomeOf } from "../../../../src/cases/incidents/rules.js";

describe("cases/incidents closing words", () => {
  it("keeps only the outcome category of a closing text", () => {
    expect(outcomeOf("resolved, the page was taken down")).to.equal("resolved");
    expect(outcomeOf("Referred to a lawyer")).to.equal("referred");
    expect(outcomeOf("no-response")).to.equal("no-response");
    expect(outcomeOf("our director's phone is back")).to.equal("other");
    expect(outcomeOf("   ")).to.equal("resolved");
  });
});
