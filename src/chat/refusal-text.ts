import type { RefusedDecision } from "../policy/audience.js";
import { tlpTag, type TlpLabel, type TlpNames } from "../policy/tlp.js";
import type { Catalog } from "./catalog.js";
import { renderText, type Rendered } from "./render.js";

/** A send the outbox refused: the label, why, and who asked for the message (if anyone). */
export interface SendRefusal {
  readonly label: TlpLabel;
  readonly decision: RefusedDecision;
  readonly requester: string | null;
}

/** Why a labelled message was withheld, in a catalogue key each. */
const REASON_KEYS: Record<RefusedDecision["reason"], string> = {
  "outside-audience": "outbox.reasonAudience",
  "no-exchange": "outbox.reasonNoCase",
  "room-public": "outbox.reasonPublic",
  "room-unencrypted": "outbox.reasonUnencrypted",
  "above-room-ceiling": "outbox.reasonRoomCeiling",
};

/** Which way a room is public, said in the refusal. */
const PUBLIC_REASON_KEYS = {
  "join-rule": "outbox.reasonPublic",
  history: "outbox.reasonPublicHistory",
  directory: "outbox.reasonPublicDirectory",
} as const;

/** The room's explanation of a refused send, naming only the withheld message's label. */
export function refusalText(
  catalog: Catalog,
  language: string,
  names: TlpNames,
  refusal: SendRefusal,
): Rendered {
  const { decision } = refusal;
  const label = tlpTag(refusal.label, names);
  const reasonKey =
    decision.reason === "room-public"
      ? PUBLIC_REASON_KEYS[decision.detail]
      : REASON_KEYS[decision.reason];
  const reason = renderText(catalog, language, {
    key: reasonKey,
    params: {
      label,
      count: decision.reason === "outside-audience" ? decision.offenders.length : 0,
    },
  });
  return renderText(catalog, language, {
    key: "outbox.refused",
    params: { label, reason: reason.plain },
  });
}
