import { MatrixError } from "./errors.js";
import type { JsonObject } from "./json.js";

/** The spec's limit on an event's size: its federation form (PDU) in canonical JSON. */
export const MAX_PDU_BYTES = 65_536;

const tooLarge = (what: string): MatrixError => new MatrixError(413, "M_TOO_LARGE", what);

/**
 * Refuses an event as Synapse does (`event_auth._check_size_limits`): IDs, type and state key
 * over 255 characters, or a PDU over 64 KiB. The PDU is built here the size a real one has
 * (event ids, hashes and signatures of their real lengths), as this server keeps no PDUs.
 */
export function checkEventSize(
  serverName: string,
  event: {
    readonly roomId: string;
    readonly sender: string;
    readonly type: string;
    readonly stateKey?: string | undefined;
    readonly content: JsonObject;
    readonly redacts?: string | undefined;
  },
  depth: number,
): void {
  if (event.sender.length > 255) throw tooLarge("'user_id' too large");
  if (event.roomId.length > 255) throw tooLarge("'room_id' too large");
  if (event.stateKey !== undefined && event.stateKey.length > 255)
    throw tooLarge("'state_key' too large");
  if (event.type.length > 255) throw tooLarge("'type' too large");
  const eventId = `$${"e".repeat(43)}`;
  const pdu: JsonObject = {
    auth_events: [eventId, eventId, eventId, eventId],
    content: event.content,
    depth,
    hashes: { sha256: "h".repeat(43) },
    origin: serverName,
    origin_server_ts: Date.now(),
    prev_events: [eventId],
    room_id: event.roomId,
    sender: event.sender,
    signatures: { [serverName]: { "ed25519:a_abcd": "s".repeat(86) } },
    type: event.type,
    unsigned: { age_ts: Date.now() },
    ...(event.stateKey === undefined ? {} : { state_key: event.stateKey }),
    ...(event.redacts === undefined ? {} : { redacts: event.redacts }),
  };
  // Canonical JSON orders keys and adds no space: its length is JSON.stringify's, in UTF-8.
  if (Buffer.byteLength(JSON.stringify(pdu), "utf8") > MAX_PDU_BYTES)
    throw tooLarge("event too large");
}
