import type { Text } from "../../chat/catalog.js";
import type { Rendered } from "../../chat/render.js";
import type { Finding } from "./identifiers.js";

/** The scan's findings as the DSX team reads them: numbered, each with its kind and text. */
export function findingLines(
  findings: readonly Finding[],
  render: (text: Text) => Rendered,
): Rendered[] {
  return findings.map((finding, i) =>
    render({
      key: "alert.finding",
      params: {
        number: i + 1,
        kind: render({ key: `findingKind.${finding.kind}` }).plain,
        text: finding.text,
      },
    }),
  );
}
