import type { EntityManager } from "typeorm";
import type { TlpLabel, TlpNames } from "../policy/tlp.js";
import { labelTag, type Rendered } from "./render.js";

/**
 * A message the bot says, before it becomes event content: its label, the case it is about,
 * the question it asks or the workflow step it belongs to (the `org.dsx.*` fields of DESIGN.md
 * "Conversations and commands"), and its text.
 */
export interface BotMessage {
  readonly label: TlpLabel;
  readonly caseId?: string;
  /**
   * For a message about no case yet that repeats a person's own words to them alone (an intake
   * summary): its audience is that person and the bot.
   */
  readonly privateTo?: string;
  readonly prompt?: string;
  readonly step?: string;
  readonly text: Rendered;
  /** An attachment (its row id) sent as an encrypted file, `text` being its caption. */
  readonly attachment?: number;
  /** The bot leaves the room once this message is out (a ticket's closing note). */
  readonly leaveAfter?: boolean;
}

/**
 * How a part of the bot says something: the message goes to the outbox in the caller's
 * transaction, and is sent (once TLP allows) after the commit.
 */
export type Say = (manager: EntityManager, roomId: string, message: BotMessage) => Promise<void>;

/** Content of an `m.room.message` event. */
export interface MessageContent {
  readonly msgtype: "m.notice";
  readonly body: string;
  readonly format: "org.matrix.custom.html";
  readonly formatted_body: string;
  readonly "org.dsx.tlp": string;
  readonly "org.dsx.case"?: string;
  readonly "org.dsx.prompt"?: string;
  readonly "org.dsx.step"?: string;
  readonly [key: string]: unknown;
}

/**
 * The event content of a bot message. Bots answer with `m.notice` (the spec's type for
 * automated messages, which other bots do not answer); every message shows its label first.
 */
export function toContent(message: BotMessage, names: TlpNames): MessageContent {
  const tag = labelTag(message.label, names);
  return {
    msgtype: "m.notice",
    body: `${tag.plain} ${message.text.plain}`,
    format: "org.matrix.custom.html",
    formatted_body: `${tag.html} ${message.text.html}`,
    "org.dsx.tlp": message.label,
    ...(message.caseId === undefined ? {} : { "org.dsx.case": message.caseId }),
    ...(message.prompt === undefined ? {} : { "org.dsx.prompt": message.prompt }),
    ...(message.step === undefined ? {} : { "org.dsx.step": message.step }),
  };
}
