import { EventStatus, type MatrixClient } from "matrix-js-sdk";
import { randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { Catalog } from "../../../src/chat/catalog.js";
import { refusalText } from "../../../src/chat/refusal-text.js";
import { Outbox, type OutboxOptions } from "../../../src/matrix/outbox.js";
import type { Exchange } from "../../../src/policy/audience.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { testDirectory } from "../chat/fake-context.js";

export const BOT = "@dsx:example.org";
export const MARIA = "@maria:example.org";

export interface FakeRoom {
  members: { userId: string; membership: string }[];
  encrypted: boolean;
  joinRule?: string;
}

export class LocalEcho {
  status: EventStatus | null = EventStatus.SENDING;
  id = "~local";
  constructor(
    readonly roomId: string,
    readonly content: Record<string, unknown>,
    readonly txnId: string,
  ) {}
  getId(): string {
    return this.id;
  }
}

/** The few client calls the outbox makes, answered from plain data (a unit test: no server). */
export class FakeClient {
  readonly rooms = new Map<string, FakeRoom>();
  readonly sent: { roomId: string; content: Record<string, unknown>; txnId: string }[] = [];
  failures: { httpStatus: number; errcode: string }[] = [];
  onSend: (() => void) | undefined;
  /** Called as `sendEvent` is called, before anything is sent (what the room is at that moment). */
  onSendEvent: ((roomId: string, content: Record<string, unknown>) => void) | undefined;
  /** Called while the outbox waits on the server (the directory), as a sync could land then. */
  whileWaiting: (() => void) | undefined;

  getSafeUserId(): string {
    return BOT;
  }
  getRoom(roomId: string) {
    const room = this.rooms.get(roomId);
    if (!room) return null;
    return {
      getLiveTimeline: () => ({ getState: () => ({ getMembers: () => room.members }) }),
      getJoinRule: () => room.joinRule ?? "invite",
      getHistoryVisibility: () => "joined",
      hasEncryptionStateEvent: () => room.encrypted,
      getEventForTxnId: (txnId: string) => this.echoes.get(txnId),
    };
  }
  async getRoomDirectoryVisibility(): Promise<{ visibility: string }> {
    await Promise.resolve();
    this.whileWaiting?.();
    return { visibility: "private" };
  }
  /** Local echoes by transaction ID, as matrix-js-sdk keeps them (and refuses a second send). */
  readonly echoes = new Map<string, LocalEcho>();

  sendEvent(
    roomId: string,
    _type: string,
    content: Record<string, unknown>,
    txnId: string,
  ): Promise<{ event_id: string }> {
    this.onSendEvent?.(roomId, content);
    if (this.echoes.has(txnId))
      return Promise.reject(
        new Error(`addPendingEvent called on an event with known txnId ${txnId}`),
      );
    const echo = new LocalEcho(roomId, content, txnId);
    this.echoes.set(txnId, echo);
    return this.deliver(echo);
  }
  resendEvent(echo: LocalEcho): Promise<{ event_id: string }> {
    this.onSendEvent?.(echo.roomId, echo.content);
    return this.deliver(echo);
  }
  private deliver(echo: LocalEcho): Promise<{ event_id: string }> {
    const failure = this.failures.shift();
    if (failure) {
      echo.status = EventStatus.NOT_SENT;
      return Promise.reject(Object.assign(new Error(failure.errcode), failure));
    }
    this.sent.push({ roomId: echo.roomId, content: echo.content, txnId: echo.txnId });
    echo.status = null;
    echo.id = `$sent${this.sent.length}`;
    this.onSend?.();
    return Promise.resolve({ event_id: echo.id });
  }
}

const catalog = Catalog.load();
const directory = testDirectory();
const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: function () {
    return this;
  },
};

/** An outbox on the fake client (English, TLP 1.0 names, a silent log, quick retries). */
export function testOutbox(
  client: FakeClient,
  dataSource: DataSource,
  exchangeOf: (caseId: string) => Promise<Exchange | undefined>,
  options: Partial<OutboxOptions> = {},
): Outbox {
  return new Outbox({
    client: client as unknown as MatrixClient,
    dataSource,
    cipher: new FieldCipher(randomBytes(32)),
    directory: () => directory,
    exchanges: { exchangeOf },
    explain: (refusal) => Promise.resolve(refusalText(catalog, "en", "1.0", refusal)),
    tlpNames: "1.0",
    log: silent,
    retryBaseMs: 5,
    ...options,
  });
}
