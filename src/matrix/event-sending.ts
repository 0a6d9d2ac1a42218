import { EventStatus, EventType, type MatrixClient } from "matrix-js-sdk";
import type { DataSource } from "typeorm";
import type { MessageContent } from "../chat/bot-message.js";
import type { AttachmentStore } from "../store/attachment-store.js";
import type { OutgoingMessage } from "../store/entities/outgoing-message.js";
import { attachmentContent } from "./attachment-upload.js";

/**
 * Sends under the row's transaction ID. The client remembers every transaction ID it has seen
 * and refuses a second `sendEvent` with one (its local echo): a send it failed is resent as the
 * same event, one it already completed gives its event ID, one in flight is waited for.
 */
export async function sendUnderTransactionId(
  client: MatrixClient,
  row: OutgoingMessage,
  content: Record<string, unknown>,
): Promise<string | undefined> {
  const room = client.getRoom(row.roomId);
  const known = room?.getEventForTxnId(row.txnId);
  if (room && known) {
    if (known.status === EventStatus.NOT_SENT)
      return (await client.resendEvent(known, room)).event_id;
    if (known.status === null || known.status === EventStatus.SENT) return known.getId();
    return undefined;
  }
  const sent = await client.sendEvent(
    row.roomId,
    EventType.RoomMessage,
    content as never,
    row.txnId,
  );
  return sent.event_id;
}

/**
 * The content to send: the message, or the attachment it names uploaded encrypted (undefined
 * when the attachment is gone: its case closed meanwhile).
 */
export async function contentToSend(
  client: MatrixClient,
  attachments: AttachmentStore,
  dataSource: DataSource,
  content: MessageContent,
  attachmentId: number | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (attachmentId === undefined) return content;
  const attachment = await attachments.read(dataSource.manager, attachmentId);
  if (attachment === undefined) return undefined;
  const fields = Object.fromEntries(
    Object.entries(content).filter(([key]) => key.startsWith("org.dsx.")),
  );
  return attachmentContent(client, attachment, fields);
}

/** Leaves a room the bot is still in (after a ticket's closing note). */
export async function leaveRoom(client: MatrixClient, roomId: string): Promise<void> {
  const membership = client.getRoom(roomId)?.getMyMembership();
  if (membership === "leave" || membership === "ban") return;
  await client.leave(roomId);
}
