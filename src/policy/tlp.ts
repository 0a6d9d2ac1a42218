/**
 * Traffic Light Protocol labels. The Code of Practice uses TLP 1.0 (RED, AMBER, GREEN, WHITE);
 * FIRST's TLP 2.0 renamed WHITE to CLEAR and added AMBER+STRICT. Both spellings are understood;
 * internally WHITE is the canonical name, and `policy.tlpNames` chooses what people see.
 */
export const TLP_LABELS = ["RED", "AMBER+STRICT", "AMBER", "GREEN", "WHITE"] as const;

export type TlpLabel = (typeof TLP_LABELS)[number];

export type TlpNames = "1.0" | "2.0";

/** Higher is more restrictive. */
const RESTRICTION: Record<TlpLabel, number> = {
  RED: 4,
  "AMBER+STRICT": 3,
  AMBER: 2,
  GREEN: 1,
  WHITE: 0,
};

/** Parses `RED`, `tlp:amber`, `TLP:AMBER+STRICT`, `clear`, ...; undefined when it is none. */
export function parseTlp(text: string): TlpLabel | undefined {
  const word = text
    .trim()
    .toUpperCase()
    .replace(/^TLP:\s*/, "")
    .replace(/\s+/g, "");
  if (word === "CLEAR") return "WHITE";
  if (word === "AMBER-STRICT" || word === "AMBERSTRICT") return "AMBER+STRICT";
  return (TLP_LABELS as readonly string[]).includes(word) ? (word as TlpLabel) : undefined;
}

/** The label's name as people see it: `WHITE` or `CLEAR` depending on the TLP version. */
export function tlpName(label: TlpLabel, names: TlpNames): string {
  return label === "WHITE" && names === "2.0" ? "CLEAR" : label;
}

/** The label as messages write it: `TLP:RED`, `TLP:CLEAR` (under TLP 2.0 names)... */
export function tlpTag(label: TlpLabel, names: TlpNames): string {
  return `TLP:${tlpName(label, names)}`;
}

/** True when `a` restricts sharing more than `b`. */
export function isMoreRestrictive(a: TlpLabel, b: TlpLabel): boolean {
  return RESTRICTION[a] > RESTRICTION[b];
}

/** The more restrictive of two labels: a message about a case is never labelled below the case. */
export function mostRestrictive(a: TlpLabel, b: TlpLabel): TlpLabel {
  return isMoreRestrictive(b, a) ? b : a;
}

/** The colour a label is shown in (FIRST's published colours, readable on white and black). */
export function tlpColour(label: TlpLabel): string {
  switch (label) {
    case "RED":
      return "#FF2B2B";
    case "AMBER+STRICT":
    case "AMBER":
      return "#FFC000";
    case "GREEN":
      return "#33FF00";
    case "WHITE":
      return "#FFFFFF";
  }
}
