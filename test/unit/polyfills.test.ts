import { expect } from "chai";
import "../../src/matrix/polyfills.js";

// lib is ES2023 on purpose (Node 20), so the type of the polyfilled method is declared here.
const withResolvers = (
  Promise as unknown as {
    withResolvers: <T>() => {
      promise: Promise<T>;
      resolve: (v: T) => void;
      reject: (e: unknown) => void;
    };
  }
).withResolvers.bind(Promise);

describe("polyfills", () => {
  it("Promise.withResolvers resolves the promise it returns", async () => {
    const { promise, resolve } = withResolvers<number>();
    resolve(42);
    expect(await promise).to.equal(42);
  });

  it("Promise.withResolvers rejects the promise it returns", async () => {
    const { promise, reject } = withResolvers<number>();
    reject(new Error("no"));
    let caught: unknown;
    try {
      await promise;
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(Error);
  });
});
