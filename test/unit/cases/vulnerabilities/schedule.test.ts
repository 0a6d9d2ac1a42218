import { expect } from "chai";
import fc from "fast-check";
import { plan, type Deadline } from "../../../../src/cases/vulnerabilities/rules.js";

const policy = { respondWithin: 7, escalateAfter: 14, discloseAfter: 21, remindBefore: 1 };
const state = { answered: false, respondBy: 7, escalateAt: 14, discloseAt: 21, finished: false };

describe("vulnerability disclosure schedule", () => {
  it("plans a reminder and each deadline, in order", () => {
    expect(plan(state, policy, 0).map((j) => `${j.kind}:${j.deadline}@${j.dueAt}`)).to.deep.equal([
      "reminder:respond@6",
      "deadline:respond@7",
      "reminder:escalate@13",
      "deadline:escalate@14",
      "reminder:disclose@20",
      "deadline:disclose@21",
    ]);
  });

  it("keeps a past deadline that has not fired (it fires late), never one that has", () => {
    const late = plan(state, policy, 8).map((j) => `${j.kind}:${j.deadline}`);
    expect(late.slice(0, 2)).to.deep.equal(["deadline:respond", "reminder:escalate"]);
    const fired = new Map<Deadline, number>([["respond", 7]]);
    expect(plan(state, policy, 8, fired).map((j) => j.deadline)).not.to.include("respond");
  });

  it("plans a fired deadline again only when it moved later (an extension)", () => {
    const fired = new Map<Deadline, number>([["disclose", 21]]);
    const extended = { ...state, discloseAt: 30 };
    expect(
      plan(extended, policy, 22, fired).filter((j) => j.deadline === "disclose"),
    ).to.deep.equal([
      { kind: "reminder", deadline: "disclose", dueAt: 29 },
      { kind: "deadline", deadline: "disclose", dueAt: 30 },
    ]);
  });

  it("never plans a deadline twice, whenever it is replanned and whatever has fired", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.subarray(["respond", "escalate", "disclose"]),
        (now, done) => {
          const fired = new Map(done.map((d) => [d as Deadline, 100] as const));
          const jobs = plan(state, policy, now, fired);
          const deadlines = jobs.filter((j) => j.kind === "deadline").map((j) => j.deadline);
          expect(new Set(deadlines).size).to.equal(deadlines.length);
          for (const d of done) expect(deadlines).not.to.include(d);
          expect(jobs.map((j) => j.dueAt)).to.deep.equal(
            [...jobs.map((j) => j.dueAt)].sort((a, b) => a - b),
          );
        },
      ),
    );
  });
});
