/**
 * A file a person sent, as a conversation sees it: downloaded and decrypted before the event's
 * transaction, or why it could not be taken.
 */
export type ReceivedFile =
  | {
      readonly ok: true;
      readonly name: string;
      readonly mimetype: string;
      readonly bytes: Uint8Array;
    }
  | { readonly ok: false; readonly reason: "unencrypted" | "too-large" | "unreadable" };
