/** A metric family in Prometheus' text exposition format (version 0.0.4). */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: readonly MetricSample[];
}

export interface MetricSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The content type Prometheus expects for the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Renders metric families as Prometheus text. A name that the format cannot carry is a bug in
 * the caller, so it throws rather than emitting a line the scraper would reject as a whole.
 */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name: ${family.name}`);
    if (seen.has(family.name)) throw new Error(`metric family twice: ${family.name}`);
    seen.add(family.name);
    out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    out.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples)
      out.push(`${family.name}${renderLabels(sample.labels)} ${renderValue(sample.value)}`);
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

function renderLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  const rendered = entries.map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith("__"))
      throw new Error(`invalid label name: ${name}`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${rendered.join(",")}}`;
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
