import { MatrixEventEvent, RoomEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";

/**
 * When a client first had each invite and could first read each encrypted event, against the
 * time the sending server gave the event: federation's delays as a person on another server
 * lives them (every server and client here shares one clock). Attach it before the events come.
 */
export class ArrivalTimes {
  /** Per room: the invite's `origin_server_ts` and when the sync brought it. */
  private readonly invites = new Map<string, { sentAt: number; arrivedAt: number }>();
  /** Per event ID: when it was first decrypted. */
  private readonly readableAt = new Map<string, number>();

  constructor(client: MatrixClient) {
    client.on(RoomEvent.MyMembership, (room, membership) => {
      if (membership !== "invite" || this.invites.has(room.roomId)) return;
      // Synapse puts the invite event itself, with its timestamp, in the invite's state.
      const sentAt = room.getMember(client.getSafeUserId())?.events.member?.getTs();
      if (sentAt !== undefined) this.invites.set(room.roomId, { sentAt, arrivedAt: Date.now() });
    });
    client.on(MatrixEventEvent.Decrypted, (event) => {
      const id = event.getId();
      if (id === undefined || event.isDecryptionFailure() || this.readableAt.has(id)) return;
      this.readableAt.set(id, Date.now());
    });
  }

  /** Milliseconds from the invite to this room being made to its arrival, if it came. */
  inviteDelay(roomId: string): number | undefined {
    const invite = this.invites.get(roomId);
    return invite === undefined ? undefined : invite.arrivedAt - invite.sentAt;
  }

  /** Milliseconds from an encrypted event being sent to its first decryption here. */
  readableDelay(event: MatrixEvent): number | undefined {
    const at = this.readableAt.get(event.getId() ?? "");
    return at === undefined ? undefined : at - event.getTs();
  }
}
