import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  matrixSpecDir,
  matrixSpecUnavailableReason,
  repositoryRoot,
} from "../../support/spec/spec-location.js";

describe("locating the Matrix spec", () => {
  const saved = process.env.MATRIX_SPEC_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.MATRIX_SPEC_DIR;
    else process.env.MATRIX_SPEC_DIR = saved;
  });

  it("finds the repository root from the compiled module", () => {
    expect(existsSync(join(repositoryRoot(), "package.json"))).to.be.true;
    expect(existsSync(join(repositoryRoot(), "tsconfig.json"))).to.be.true;
  });

  it("defaults to ../shared/matrix-spec beside the repository", () => {
    delete process.env.MATRIX_SPEC_DIR;
    expect(matrixSpecDir()).to.equal(join(repositoryRoot(), "..", "shared", "matrix-spec"));
  });

  it("takes MATRIX_SPEC_DIR when set", () => {
    process.env.MATRIX_SPEC_DIR = "/nonexistent/matrix-spec";
    expect(matrixSpecDir()).to.equal("/nonexistent/matrix-spec");
    expect(matrixSpecUnavailableReason()).to.match(/not found at \/nonexistent\/matrix-spec/);
  });
});
