import { expect } from "chai";
import fc from "fast-check";
import {
  TLP_LABELS,
  isMoreRestrictive,
  mostRestrictive,
  parseTlp,
  tlpName,
} from "../../../src/policy/tlp.js";

describe("policy/tlp labels", () => {
  it("reads both TLP versions' spellings", () => {
    expect(parseTlp("RED")).to.equal("RED");
    expect(parseTlp("tlp:amber")).to.equal("AMBER");
    expect(parseTlp("TLP: AMBER+STRICT")).to.equal("AMBER+STRICT");
    expect(parseTlp("amber-strict")).to.equal("AMBER+STRICT");
    expect(parseTlp("Green")).to.equal("GREEN");
    expect(parseTlp("WHITE")).to.equal("WHITE");
    expect(parseTlp("TLP:CLEAR")).to.equal("WHITE");
    for (const text of ["", "ORANGE", "TLP:", "RED!", "REDD", "TLP:RED:AMBER"])
      expect(parseTlp(text), text).to.equal(undefined);
  });

  it("shows WHITE or CLEAR as the configured version says", () => {
    expect(tlpName("WHITE", "1.0")).to.equal("WHITE");
    expect(tlpName("WHITE", "2.0")).to.equal("CLEAR");
    expect(tlpName("RED", "2.0")).to.equal("RED");
  });

  it("orders labels from RED down to WHITE", () => {
    const label = fc.constantFrom(...TLP_LABELS);
    fc.assert(
      fc.property(label, label, (a, b) => {
        const most = mostRestrictive(a, b);
        expect(most === a || most === b).to.equal(true);
        expect(isMoreRestrictive(a, most) || isMoreRestrictive(b, most)).to.equal(false);
        expect(isMoreRestrictive(a, b) && isMoreRestrictive(b, a)).to.equal(false);
      }),
    );
    expect(isMoreRestrictive("RED", "AMBER+STRICT")).to.equal(true);
    expect(isMoreRestrictive("AMBER+STRICT", "AMBER")).to.equal(true);
    expect(isMoreRestrictive("GREEN", "WHITE")).to.equal(true);
  });

  it("parses every label's own name, in any case, with or without the TLP: prefix", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TLP_LABELS),
        fc.boolean(),
        fc.boolean(),
        (label, prefix, lower) => {
          const text = `${prefix ? "TLP:" : ""}${label}`;
          expect(parseTlp(lower ? text.toLowerCase() : text)).to.equal(label);
        },
      ),
    );
  });
});
