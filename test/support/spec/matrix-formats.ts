import type { Format } from "ajv/dist/2020.js";

/**
 * The string formats the Matrix spec uses (data/string-formats.yaml), checked as the
 * appendices define the grammar, loosely where the spec allows historical forms: user IDs
 * may carry historical localparts, and room IDs from room version 12 on have no server name.
 */
export const MATRIX_FORMATS: Readonly<Record<string, Format>> = {
  "mx-user-id": /^@[^:]+:.+$/,
  "mx-room-id": /^!.+$/,
  "mx-event-id": /^\$.+$/,
  "mx-room-alias": /^#[^:]+:.+$/,
  "mx-server-name": /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/,
  "mx-mxc-uri": /^mxc:\/\/[^/]+\/[^/]+$/,
  "mx-unpadded-base64": (value: string) => /^[A-Za-z0-9+/]*$/.test(value) && value.length % 4 !== 1,
  "mx-urlsafe-unpadded-base64": (value: string) =>
    /^[A-Za-z0-9_-]*$/.test(value) && value.length % 4 !== 1,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/,
  email: /^[^@\s]+@[^@\s]+$/,
  int64: { type: "number", validate: (value: number) => Number.isSafeInteger(value) },
  float: { type: "number", validate: (value: number) => Number.isFinite(value) },
};
