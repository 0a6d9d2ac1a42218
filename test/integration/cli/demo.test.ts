import { expect } from "chai";
import { compiledCli } from "../../support/paths.js";
import { runNode } from "../../support/processes.js";

/** Whether nothing listens at `url` any more. */
async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
}

describe("dsx-bot demo", function () {
  this.timeout(240_000);

  it("tells an incident with its community alert and a vulnerability disclosure, step by step, then stops its servers and exits 0", async () => {
    const started = Date.now();
    const result = await runNode(compiledCli, ["demo", "--port", "0", "--exit-when-done"], {
      timeoutMs: 200_000,
    });
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    const out = result.stdout;
    // Each step of the story, in order, as the transcript shows the bot's event content. A
    // group holds messages of one step sent to several rooms: the outbox sends each room's
    // messages in order but the rooms side by side, so a group may come in any order.
    const steps: (RegExp | RegExp[])[] = [
      /maria ↔ bot +maria +report incident/,
      /\[step=received · INC-\d{4}-\d{4} · TLP:AMBER\]/,
      /sam ↔ bot +bot +\[step=offer · INC-\d{4}-\d{4} · TLP:GREEN\]/,
      /sam ↔ bot +sam +accept INC-/,
      /#INC-\d{4}-\d{4} +bot +\[step=summary · INC-\d{4}-\d{4} · TLP:AMBER\]/,
      /#INC-\d{4}-\d{4} +bot +\[step=status · INC-/,
      /#INC-\d{4}-\d{4} +bot +\[step=review · ALR-\d{4}-\d{4} · TLP:AMBER\]/,
      /#INC-\d{4}-\d{4} +bot +\[step=approval-request · ALR-/,
      /#communityAlerts +bot +\[step=alert · ALR-\d{4}-\d{4} · TLP:GREEN\]/,
      [/#INC-\d{4}-\d{4} +bot +\[step=closed · INC-/, /#triage +bot +\[step=closed · INC-/],
      /pablo ↔ bot +bot +\[step=notice · VUL-\d{4}-\d{4} · TLP:AMBER\]/,
      /\[step=reminder · VUL-/,
      /#triage +bot +\[step=escalation · VUL-/,
      [
        /#communityAlerts +bot +\[step=disclosure · VUL-\d{4}-\d{4} · TLP:GREEN\]/,
        /#advisory +bot +\[step=approval-request · VUL-/,
      ],
      /#publicAlerts +bot +\[step=disclosure · VUL-\d{4}-\d{4} · TLP:WHITE\]/,
    ];
    let from = 0;
    for (const step of steps) {
      let next = from;
      for (const message of Array.isArray(step) ? step : [step]) {
        const at = out.slice(from).search(message);
        expect(at, `${String(message)} after position ${from} in:\n${out}`).to.be.at.least(0);
        next = Math.max(next, from + at + 1);
      }
      from = next;
    }
    // A deadline fires once, also after `!dsx escalate` replans the case.
    const deadlines = out.match(/#triage +bot +\[step=deadline · VUL-/g) ?? [];
    expect(deadlines, out).to.have.length(1);
    const took = /The story took ([\d.]+) s\./.exec(out);
    expect(took, out).to.not.equal(null);
    process.stdout.write(
      `      (story ${took?.[1] ?? "?"} s, whole demo ${seconds.toFixed(1)} s)\n`,
    );

    // Its homeserver and its bot (which serves the metrics) are down.
    const servers = /homeserver (\S+), bot \S+, metrics (\S+)/.exec(out);
    expect(servers, out).to.not.equal(null);
    expect(await refused(`${servers?.[1] ?? ""}/_matrix/client/versions`)).to.equal(true);
    expect(await refused(`${servers?.[2] ?? ""}/healthz`)).to.equal(true);
    expect(out).to.contain("demo stopped: the bot and the homeserver are down");
  });

  it("refuses a port that is not a port number", async () => {
    const result = await runNode(compiledCli, ["demo", "--port", "http"]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("--port must be a port number");
  });
});
