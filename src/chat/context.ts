import type { EntityManager } from "typeorm";
import type { Directory } from "../config/directory.js";
import type { TlpNames } from "../policy/tlp.js";
import type { BotMessage } from "./bot-message.js";
import type { Catalog, Text } from "./catalog.js";
import type { ConversationState } from "./conversation-store.js";
import type { ReportLimit } from "./rate-limits.js";
import type { Rendered } from "./render.js";

/** What kind of room a message came from; decides the prefix and which commands apply. */
export type RoomKind =
  | "direct"
  | "triage"
  | "abuseTeam"
  | "advisory"
  | "donors"
  | "alerts"
  | "ticket"
  | "report"
  | "warning"
  | "other";

/** A text message a person sent, as the chat layer sees it. */
export interface Inbound {
  readonly eventId: string;
  readonly roomId: string;
  readonly sender: string;
  readonly roomKind: RoomKind;
  readonly text: string;
  readonly ts: number;
}

/**
 * The capabilities a command or dialogue step gets: who said what where, the directory, and
 * narrow ways to act. Everything done through it belongs to the transaction that records the
 * inbound event as handled, so a crash either keeps all of it or none.
 */
export interface ChatContext {
  readonly inbound: Inbound;
  readonly language: string;
  readonly directory: Directory;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  /** The transaction that records the inbound event as handled: workflows store through it. */
  readonly manager: EntityManager;
  /** Queues a message to the room the inbound message came from. */
  reply(message: BotMessage): void;
  /** Queues a message to another room. */
  send(roomId: string, message: BotMessage): void;
  /** Renders a catalogue text in the person's language (or the one given). */
  text(text: Text, language?: string): Rendered;
  readonly conversations: {
    get(): Promise<ConversationState | undefined>;
    save(state: ConversationState): Promise<void>;
    end(): Promise<void>;
  };
  setLanguage(language: string): Promise<void>;
  /** The sender's limit on new reports. */
  readonly reports: ReportLimit;
}
