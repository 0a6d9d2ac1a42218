import { expect } from "chai";
import fc from "fast-check";
import { isUserId } from "../../../src/policy/user-id.js";

describe("isUserId: the spec's user-ID grammar", () => {
  it("takes today's and historical IDs, with a port or an IP address", () => {
    for (const id of [
      "@ana:example.org",
      "@ana.b=c/d+e_f-g:matrix.example.org:8448",
      "@Old<Style>!:example.org",
      "@x:127.0.0.1",
      "@x:[::1]:8008",
    ])
      expect(isUserId(id), id).to.equal(true);
  });

  it("refuses IDs with a bidi override, a zero-width or any non-ASCII character", () => {
    for (const id of [
      "@ana\u202e:localhost",
      "@ana\u200b:localhost",
      "@\u2066ana:localhost",
      "@ana:local\u200fhost",
      "@ána:example.org",
      "@ana :example.org",
      "@ana:exa_mple.org",
      "@:example.org",
    ])
      expect(isUserId(id), JSON.stringify(id)).to.equal(false);
  });

  it("property: an ID with a control, format or non-ASCII character anywhere is refused", () => {
    const outside = fc
      .integer({ min: 0, max: 0x2ffff })
      .filter((code) => code < 0x21 || code > 0x7e)
      .map((code) => String.fromCodePoint(code));
    fc.assert(
      fc.property(fc.nat(16), outside, (at, bad) => {
        const id = "@ana:example.org";
        const place = at % (id.length + 1);
        expect(isUserId(id.slice(0, place) + bad + id.slice(place))).to.equal(false);
      }),
    );
  });
});
