import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { meets, type Target } from "./targets.js";
import { rounded } from "./stats.js";

/** One line of the printed table: a measured value and, when it has one, its target. */
export interface Row {
  readonly what: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
}

export function printTable(rows: readonly Row[], out: (line: string) => void): void {
  const cells = rows.map((row) => [
    row.what,
    `${String(rounded(row.value))} ${row.unit}`,
    row.target === undefined
      ? ""
      : `${row.target.better === "higher" ? ">=" : "<"} ${String(row.target.limit)} ${row.target.unit}`,
    row.target === undefined ? "" : meets(row.target, row.value) ? "met" : "NOT MET",
  ]);
  const header = ["measure", "value", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  out(line(header));
  out(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) out(line(c));
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
