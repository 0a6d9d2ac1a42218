import { ClientEvent, SyncState, type MatrixClient } from "matrix-js-sdk";

/** The long-poll timeout the SDK's sync uses unless told otherwise (matrix-js-sdk's default). */
export const SYNC_POLL_MS = 30_000;

/**
 * Whether the client is in step with the homeserver, for readiness: its sync loop says so
 * (`PREPARED`, `SYNCING`), and a sync came back recently. A long-poll returns at least every
 * SYNC_POLL_MS, so a longer silence means the server holds requests without answering, which
 * the SDK would notice only after its own, much longer, request timeout.
 */
export class SyncWatch {
  private state: SyncState | null = null;
  private lastSyncAt = 0;
  private readonly onSync = (state: SyncState): void => {
    this.state = state;
    if (state === SyncState.Prepared || state === SyncState.Syncing) this.lastSyncAt = this.now();
  };

  constructor(
    private readonly client: MatrixClient,
    private readonly staleAfterMs = 2 * SYNC_POLL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts listening; call before `startClient`. */
  attach(): void {
    this.client.on(ClientEvent.Sync, this.onSync);
  }

  detach(): void {
    this.client.off(ClientEvent.Sync, this.onSync);
  }

  synced(): boolean {
    const healthy = this.state === SyncState.Prepared || this.state === SyncState.Syncing;
    return healthy && this.now() - this.lastSyncAt <= this.staleAfterMs;
  }
}
