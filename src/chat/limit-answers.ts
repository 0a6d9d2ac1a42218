import type { ChatContext } from "./context.js";
import { limitParams } from "./rate-limits.js";

/**
 * Whether the sender is over their report limit; if so they are told once per burst, with the
 * catalogue text `key`, when they may report again.
 */
export async function reportHeld(
  context: ChatContext,
  kind: string,
  key: "limits.reportStart" | "limits.reportKept",
): Promise<boolean> {
  const held = await context.reports.held(kind);
  if (held === undefined) return false;
  if (held.tell)
    context.reply({
      label: "WHITE",
      step: "limited",
      text: context.text({
        key,
        params: limitParams(context.catalog, context.language, held),
      }),
    });
  return true;
}
