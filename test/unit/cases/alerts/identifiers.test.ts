import { expect } from "chai";
import fc from "fast-check";
import {
  findIdentifiers,
  withoutFinding,
  type KnownNames,
} from "../../../../src/cases/alerts/identifiers.js";

const known: KnownNames = {
  organisations: [
    { id: "rights-collective", name: "Rights Collective" },
    { id: "securelab", name: "SecureLab" },
  ],
  people: [
    { userId: "@maria:example.org", names: ["maria", "María Pérez"] },
    { userId: "@jo:example.org", names: ["jo"] },
  ],
  fileNames: ["invoice-2026.pdf"],
};

const kinds = (text: string) => findIdentifiers(text, known).map((f) => `${f.kind}:${f.text}`);

describe("identifiers in an alert draft", () => {
  it("finds organisations by name and id, people by name and Matrix ID", () => {
    expect(
      kinds("The rights collective (rights-collective) told @maria:example.org and María Pérez."),
    ).to.deep.equal([
      "organisation:rights collective",
      "organisation:rights-collective",
      "matrix-id:@maria:example.org",
      "person:María Pérez",
    ]);
  });

  it("finds e-mail addresses, phone numbers, IP addresses, URLs and the case's files", () => {
    expect(
      kinds(
        "Write to help@ngo.example, call +44 20 7946 0958, from 192.0.2.44 and 2001:db8::7, " +
          "see https://evil.example/login?x=1. The attachment invoice-2026.pdf is a lure.",
      ),
    ).to.deep.equal([
      "email:help@ngo.example",
      "phone:+44 20 7946 0958",
      "ip:192.0.2.44",
      "ip:2001:db8::7",
      "url:https://evil.example/login?x=1",
      "file:invoice-2026.pdf",
    ]);
  });

  it("leaves dates, times, versions and short names alone", () => {
    expect(
      kinds("Since 2026-11-22 at 10:30:00, version 1.2.3 of the app; jo said it is so."),
    ).to.deep.equal([]);
  });

  it("reports a name once, and a name inside a Matrix ID as the ID", () => {
    expect(kinds("maria, Maria and @maria:example.org.")).to.deep.equal([
      "person:maria",
      "matrix-id:@maria:example.org",
    ]);
  });

  it("removes every appearance of a finding", () => {
    expect(withoutFinding("SecureLab and securelab.", "SecureLab")).to.equal("[…] and […].");
  });

  it("finds any directory name hidden in any text, and nothing once it is removed", () => {
    const word = fc.stringMatching(/^[a-z]{3,12}$/);
    fc.assert(
      fc.property(fc.string(), word, fc.string(), (before, name, after) => {
        const names: KnownNames = {
          organisations: [{ id: name }],
          people: [],
          fileNames: [],
        };
        const text = `${before} ${name} ${after}`;
        const found = findIdentifiers(text, names).map((f) => f.text.toLowerCase());
        const covered = found.some((f) => f.includes(name));
        expect(covered, `"${name}" in "${text}"`).to.equal(true);
        let cleaned = text;
        for (const f of findIdentifiers(text, names)) cleaned = withoutFinding(cleaned, f.text);
        expect(findIdentifiers(cleaned, names)).to.deep.equal([]);
      }),
    );
  });
});
