import { expect } from "chai";
import { createLogger } from "../../../src/log/log.js";
import { OpsEndpoint, type BotProbe, type Readiness } from "../../../src/ops/ops-endpoint.js";
import { PROMETHEUS_CONTENT_TYPE } from "../../../src/ops/prometheus.js";

describe("ops/ops-endpoint", () => {
  let endpoint: OpsEndpoint;
  let probe: BotProbe | undefined;
  let readiness: Readiness;
  const base = () => `http://127.0.0.1:${endpoint.port}`;

  beforeEach(async () => {
    readiness = { ready: true, checks: { sync: true, database: true } };
    probe = {
      readiness: () => Promise.resolve(readiness),
      readings: () =>
        Promise.resolve({
          eventsHandled: 5,
          eventsFailed: 0,
          sendsRefused: { RED: 1, "AMBER+STRICT": 0, AMBER: 0, GREEN: 0, WHITE: 0 },
          jobsFired: 0,
          jobsFailed: 0,
          memory: { resident: 1, heapUsed: 1, external: 1 },
          stored: {
            openCases: { incident: 1, vulnerability: 0, conduct: 0 },
            scheduleLagSeconds: 0,
            undecryptableWaiting: 0,
          },
        }),
    };
    endpoint = await OpsEndpoint.start({
      host: "127.0.0.1",
      port: 0,
      probe: () => probe,
      log: createLogger("fatal"),
    });
  });
  afterEach(async () => {
    await endpoint.close();
  });

  it("answers /healthz, /readyz and /metrics", async () => {
    expect((await fetch(`${base()}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({
      status: "ready",
      checks: { sync: true, database: true },
    });
    const metrics = await fetch(`${base()}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(metrics.headers.get("content-type")).to.equal(PROMETHEUS_CONTENT_TYPE);
    const text = await metrics.text();
    expect(text)
      .to.contain("dsx_ready 1\n")
      .and.to.contain('dsx_sends_refused_total{label="RED"} 1');
  });

  it("is not ready while a check fails or the bot is starting, and /metrics still answers", async () => {
    readiness = { ready: false, checks: { sync: false, database: true } };
    const notSynced = await fetch(`${base()}/readyz`);
    expect(notSynced.status).to.equal(503);
    expect(await notSynced.json()).to.deep.equal({
      status: "not ready",
      checks: { sync: false, database: true },
    });
    expect(await (await fetch(`${base()}/metrics`)).text()).to.contain("dsx_ready 0\n");
    probe = undefined;
    expect((await fetch(`${base()}/readyz`)).status).to.equal(503);
    expect((await fetch(`${base()}/healthz`)).status).to.equal(200);
    expect(await (await fetch(`${base()}/metrics`)).text()).to.contain("dsx_ready 0\n");
  });

  it("answers 404 to other paths, 405 to other methods, 500 when a probe throws", async () => {
    expect((await fetch(`${base()}/`)).status).to.equal(404);
    expect((await fetch(`${base()}/metrics`, { method: "POST" })).status).to.equal(405);
    probe = {
      readiness: () => Promise.reject(new Error("boom")),
      readings: () => Promise.reject(new Error("boom")),
    };
    expect((await fetch(`${base()}/metrics`)).status).to.equal(500);
  });

  it("stops listening when closed", async () => {
    const url = `${base()}/healthz`;
    await endpoint.close();
    let refused = false;
    try {
      await fetch(url);
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
    endpoint = await OpsEndpoint.start({
      host: "127.0.0.1",
      port: 0,
      probe: () => undefined,
      log: createLogger("fatal"),
    });
  });
});
