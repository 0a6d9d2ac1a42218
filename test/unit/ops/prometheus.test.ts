import { expect } from "chai";
import { renderPrometheus } from "../../../src/ops/prometheus.js";
import { botMetricFamilies, type BotReadings } from "../../../src/ops/bot-metrics.js";

describe("ops/prometheus", () => {
  it("renders HELP, TYPE and samples, with and without labels", () => {
    const text = renderPrometheus([
      {
        name: "dsx_events_handled_total",
        help: "Inbound events handled.",
        type: "counter",
        samples: [{ value: 42 }],
      },
      {
        name: "dsx_open_cases",
        help: "Open cases by kind.",
        type: "gauge",
        samples: [
          { labels: { kind: "incident" }, value: 3 },
          { labels: { kind: "conduct" }, value: 0 },
        ],
      },
    ]);
    expect(text).to.equal(
      [
        "# HELP dsx_events_handled_total Inbound events handled.",
        "# TYPE dsx_events_handled_total counter",
        "dsx_events_handled_total 42",
        "# HELP dsx_open_cases Open cases by kind.",
        "# TYPE dsx_open_cases gauge",
        'dsx_open_cases{kind="incident"} 3',
        'dsx_open_cases{kind="conduct"} 0',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values and help text, and writes special values as Prometheus does", () => {
    const text = renderPrometheus([
      {
        name: "x",
        help: "a \\ b\nc",
        type: "gauge",
        samples: [
          { labels: { v: 'say "hi"\\\n' }, value: 0.25 },
          { value: Infinity },
          { value: -Infinity },
          { value: NaN },
        ],
      },
    ]);
    expect(text.split("\n")).to.deep.equal([
      "# HELP x a \\\\ b\\nc",
      "# TYPE x gauge",
      'x{v="say \\"hi\\"\\\\\\n"} 0.25',
      "x +Inf",
      "x -Inf",
      "x NaN",
      "",
    ]);
  });

  it("refuses names the format cannot carry, and a family given twice", () => {
    const family = { name: "ok", help: "h", type: "gauge", samples: [] } as const;
    expect(() => renderPrometheus([{ ...family, name: "dsx-bad" }])).to.throw(/metric name/);
    expect(() =>
      renderPrometheus([{ ...family, samples: [{ labels: { "a-b": "x" }, value: 1 }] }]),
    ).to.throw(/label name/);
    expect(() =>
      renderPrometheus([{ ...family, samples: [{ labels: { __name: "x" }, value: 1 }] }]),
    ).to.throw(/label name/);
    expect(() => renderPrometheus([family, family])).to.throw(/twice/);
    expect(renderPrometheus([])).to.equal("");
  });
});

describe("ops/bot-metrics", () => {
  const readings: BotReadings = {
    eventsHandled: 7,
    eventsFailed: 1,
    sendsRefused: { RED: 0, "AMBER+STRICT": 0, AMBER: 2, GREEN: 1, WHITE: 0 },
    jobsFired: 9,
    jobsFailed: 0,
    memory: { resident: 300_000_000, heapUsed: 120_000_000, external: 90_000_000 },
    stored: {
      openCases: { incident: 4, vulnerability: 2, conduct: 1 },
      scheduleLagSeconds: 1.5,
      undecryptableWaiting: 3,
    },
  };

  it("reports every count the brief asks for, every label and kind even when zero", () => {
    const text = renderPrometheus(botMetricFamilies(true, readings));
    const samples = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(samples).to.deep.equal([
      "dsx_ready 1",
      "dsx_events_handled_total 7",
      "dsx_events_failed_total 1",
      'dsx_sends_refused_total{label="RED"} 0',
      'dsx_sends_refused_total{label="AMBER+STRICT"} 0',
      'dsx_sends_refused_total{label="AMBER"} 2',
      'dsx_sends_refused_total{label="GREEN"} 1',
      'dsx_sends_refused_total{label="WHITE"} 0',
      "dsx_jobs_fired_total 9",
      "dsx_jobs_failed_total 0",
      'dsx_open_cases{kind="incident"} 4',
      'dsx_open_cases{kind="vulnerability"} 2',
      'dsx_open_cases{kind="conduct"} 1',
      "dsx_schedule_lag_seconds 1.5",
      "dsx_undecryptable_events 3",
      "process_resident_memory_bytes 300000000",
      "nodejs_heap_size_used_bytes 120000000",
      "nodejs_external_memory_bytes 90000000",
    ]);
  });

  it("while the database does not answer, leaves out its counts and keeps the rest", () => {
    const text = renderPrometheus(botMetricFamilies(false, { ...readings, stored: undefined }));
    const names = text
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => line.split(/[{ ]/)[0]);
    expect(names).to.include.members(["dsx_ready", "dsx_events_handled_total"]);
    expect(names).to.include("process_resident_memory_bytes");
    expect(names).to.not.include("dsx_open_cases");
    expect(names).to.not.include("dsx_schedule_lag_seconds");
    expect(names).to.not.include("dsx_undecryptable_events");
  });

  it("while the bot starts, says only that it is not ready", () => {
    const text = renderPrometheus(botMetricFamilies(false, undefined));
    expect(text.split("\n").filter((l) => l !== "" && !l.startsWith("#"))).to.deep.equal([
      "dsx_ready 0",
    ]);
  });
});
