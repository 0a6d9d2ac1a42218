import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { AlertStore } from "../../../../src/cases/alerts/alert-store.js";
import { Alert } from "../../../../src/store/entities/alert.js";
import { FieldCipher } from "../../../../src/store/field-cipher.js";

describe("cases/alerts/alert-store: the sealed lists of an alert", () => {
  const store = new AlertStore(new FieldCipher(randomBytes(32)));
  const caseId = "ALR-2026-0001";
  const alert = (columns: Partial<Alert>) => Object.assign(new Alert(), { caseId, ...columns });

  it("reads back what it wrote, and nothing as empty", () => {
    const decisions = [{ userId: "@kim:example.org", reason: "exploited in the wild" }];
    const written = alert({
      kept: store.seal(caseId, "kept", JSON.stringify(["rights collective"])),
      reason: store.seal(caseId, "reason", JSON.stringify(decisions)),
      approvals: JSON.stringify(["@kim:example.org"]),
    });
    expect(store.kept(written)).to.deep.equal(["rights collective"]);
    expect(store.decisions(written)).to.deep.equal(decisions);
    expect(store.approvals(written)).to.deep.equal(["@kim:example.org"]);
    const empty = alert({ kept: null, reason: null, approvals: null });
    expect([store.kept(empty), store.decisions(empty), store.approvals(empty)]).to.deep.equal([
      [],
      [],
      [],
    ]);
  });

  it("refuses a corrupt value, naming the alert and column but not the value", () => {
    const secret = "maria@rights.example";
    const notJson = alert({ kept: store.seal(caseId, "kept", `[${secret}`) });
    expect(() => store.kept(notJson)).to.throw(
      /kept findings of ALR-2026-0001: not of the stored shape/,
    );
    const wrongShape = alert({
      reason: store.seal(caseId, "reason", JSON.stringify([{ userId: secret }])),
    });
    expect(() => store.decisions(wrongShape))
      .to.throw(/advisory reasons of ALR-2026-0001: not of the stored shape/)
      .with.property("message")
      .that.does.not.contain(secret);
    expect(() => store.kept(notJson))
      .to.throw()
      .with.property("message")
      .that.does.not.contain(secret);
  });
});
