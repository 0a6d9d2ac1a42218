import { expect } from "chai";
import { QueryFailedError } from "typeorm";
import { storageUnavailable } from "../../../src/failures/storage-errors.js";

/** An error as a driver throws it, with its code. */
function driverError(code: string, message = "failed"): Error {
  return Object.assign(new Error(message), { code });
}

describe("store/storage-errors: which failures are the database's, to be retried", () => {
  it("names SQLite's lock, full disk, I/O, read-only and open errors, also wrapped by TypeORM", () => {
    const cases: [string, string][] = [
      ["SQLITE_BUSY", "database-locked"],
      ["SQLITE_BUSY_SNAPSHOT", "database-locked"],
      ["SQLITE_LOCKED", "database-locked"],
      ["SQLITE_FULL", "disk-full"],
      ["SQLITE_IOERR_WRITE", "database-io-error"],
      ["SQLITE_READONLY", "database-read-only"],
      ["SQLITE_CANTOPEN", "database-cannot-open"],
    ];
    for (const [code, problem] of cases) {
      expect(storageUnavailable(driverError(code)), code).to.equal(problem);
      const wrapped = new QueryFailedError("INSERT ...", [], driverError(code));
      expect(storageUnavailable(wrapped), `${code} wrapped`).to.equal(problem);
    }
  });

  it("names PostgreSQL's connection, shutdown, disk and lock errors", () => {
    expect(storageUnavailable(driverError("ECONNREFUSED"))).to.equal("database-unreachable");
    expect(storageUnavailable(driverError("57P01"))).to.equal("database-unreachable");
    expect(storageUnavailable(driverError("08006"))).to.equal("database-unreachable");
    expect(storageUnavailable(driverError("53100"))).to.equal("disk-full");
    expect(storageUnavailable(driverError("55P03"))).to.equal("database-locked");
    expect(storageUnavailable(new Error("Connection terminated unexpectedly"))).to.equal(
      "database-unreachable",
    );
  });

  it("leaves everything else to the handler's failure path (a bug, a broken row)", () => {
    expect(storageUnavailable(new TypeError("x is undefined"))).to.equal(undefined);
    expect(storageUnavailable(driverError("SQLITE_CONSTRAINT_UNIQUE"))).to.equal(undefined);
    expect(storageUnavailable(driverError("23505"))).to.equal(undefined);
    expect(storageUnavailable(undefined)).to.equal(undefined);
    expect(storageUnavailable("SQLITE_BUSY")).to.equal(undefined);
  });
});
