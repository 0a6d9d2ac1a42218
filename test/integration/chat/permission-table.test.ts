import { expect } from "chai";
import { readmeWithCurrentTable } from "../../support/docs/readme-permissions.js";

describe("README's permission table", () => {
  it("is the one the command definitions make (else run `npm run docs:permissions`)", async () => {
    const { current, wanted } = await readmeWithCurrentTable();
    expect(current, "README.md's permission table is out of date").to.equal(wanted);
  });
});
