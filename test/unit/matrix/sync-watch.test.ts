import { expect } from "chai";
import { EventEmitter } from "node:events";
import { ClientEvent, SyncState, type MatrixClient } from "matrix-js-sdk";
import { SyncWatch } from "../../../src/matrix/sync-watch.js";

describe("matrix/sync-watch", () => {
  let now: number;
  let client: EventEmitter;
  let watch: SyncWatch;

  beforeEach(() => {
    now = 1_000_000;
    client = new EventEmitter();
    watch = new SyncWatch(client as unknown as MatrixClient, 60_000, () => now);
    watch.attach();
  });

  it("is not synced before the first sync, and is after it", () => {
    expect(watch.synced()).to.equal(false);
    client.emit(ClientEvent.Sync, SyncState.Prepared, null);
    expect(watch.synced()).to.equal(true);
  });

  it("is not synced while the sync loop reconnects or has failed, and is again after a sync", () => {
    client.emit(ClientEvent.Sync, SyncState.Syncing, null);
    for (const state of [SyncState.Reconnecting, SyncState.Error, SyncState.Catchup]) {
      client.emit(ClientEvent.Sync, state, SyncState.Syncing);
      expect(watch.synced(), state).to.equal(false);
    }
    client.emit(ClientEvent.Sync, SyncState.Syncing, SyncState.Catchup);
    expect(watch.synced()).to.equal(true);
  });

  it("is not synced when no sync came back for longer than a long-poll can last", () => {
    client.emit(ClientEvent.Sync, SyncState.Syncing, null);
    now += 60_000;
    expect(watch.synced()).to.equal(true);
    now += 1;
    expect(watch.synced(), "the server holds requests without answering").to.equal(false);
    client.emit(ClientEvent.Sync, SyncState.Syncing, SyncState.Syncing);
    expect(watch.synced()).to.equal(true);
  });

  it("stops listening when detached", () => {
    watch.detach();
    client.emit(ClientEvent.Sync, SyncState.Syncing, null);
    expect(watch.synced()).to.equal(false);
  });
});
