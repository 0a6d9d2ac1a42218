import type { MatrixEvent } from "matrix-js-sdk";
import {
  ATTACHMENT_MSGTYPES,
  downloadAttachment,
  readAttachment,
  type MediaClient,
} from "../matrix/attachments.js";
import type { ReceivedFile } from "../chat/received-file.js";
import type { EntityManager } from "typeorm";
import type { BotMessage } from "../chat/bot-message.js";
import type { Catalog } from "../chat/catalog.js";
import type { ChatContext, Inbound, RoomKind } from "../chat/context.js";
import { TypeOrmConversationStore } from "../chat/conversation-store.js";
import { commandText } from "../chat/command.js";
import { limitParams, RateLimits, type HeldBack } from "../chat/rate-limits.js";
import { renderText } from "../chat/render.js";
import type { ChatRouter } from "../chat/router.js";
import type { Directory } from "../config/directory.js";
import type { EventHandler } from "../matrix/inbox.js";
import type { Outbox } from "../matrix/outbox.js";
import type { TlpNames } from "../policy/tlp.js";
import { audit } from "../store/audit-log.js";
import type { Logger } from "../log/log.js";
import { Person } from "../store/entities/person.js";
import { languageOf } from "../store/people.js";
import type { FieldCipher } from "../store/field-cipher.js";
import type { RoomKinds } from "./room-kinds.js";

/** Longer messages are refused politely: nobody types this much, and it protects the bot. */
export const MAX_MESSAGE_LENGTH = 20_000;

export interface MessageHandlerOptions {
  readonly router: ChatRouter;
  readonly outbox: Outbox;
  readonly catalog: Catalog;
  readonly cipher: FieldCipher;
  readonly directory: () => Directory;
  readonly roomKinds: RoomKinds;
  readonly tlpNames: TlpNames;
  /** For files: the media client, the largest file taken, and reads outside a transaction. */
  readonly media: MediaClient;
  readonly maxFileBytes: () => number;
  /** People outside the directory who share a configured room with the bot may write to it. */
  readonly sharesDsxRoom: (userId: string) => boolean;
  readonly reader: () => EntityManager;
  /** Limits on what the bot answers and on new reports. */
  readonly limits: RateLimits;
  /** The room (and its language) told when someone's reports of a dialogue's kind are held. */
  readonly reportTeam: (kind: string) => { roomId: string; language: string };
  /** Why a file could not be had (its HTTP status; never its name or content). */
  readonly log: Logger;
}

function isAttachment(content: Record<string, unknown>): boolean {
  return (ATTACHMENT_MSGTYPES as readonly unknown[]).includes(content["msgtype"]);
}

/** An edit (`m.replace`) of a message sent before. */
function isEdit(content: Record<string, unknown>): boolean {
  const relation: unknown = content["m.relates_to"];
  return (
    typeof relation === "object" &&
    relation !== null &&
    (relation as Record<string, unknown>)["rel_type"] === "m.replace"
  );
}

/**
 * Turns people's messages into conversations: checks what arrived (type, size, sender), builds
 * the chat context over the event's transaction, and lets the router decide.
 */
export class MessageHandler implements EventHandler {
  constructor(private readonly options: MessageHandlerOptions) {}

  /**
   * A file sent in a direct message while the conversation asks for files is downloaded and
   * decrypted here, before the transaction; anything else needs nothing.
   */
  async prepare(event: MatrixEvent): Promise<ReceivedFile | undefined> {
    if (event.getType() !== "m.room.message" || !isAttachment(event.getContent())) return undefined;
    const roomId = event.getRoomId() ?? "";
    const sender = event.getSender() ?? "";
    if (this.options.roomKinds.kindOf(roomId) !== "direct") return undefined;
    if (!this.options.directory().isKnown(sender)) return undefined;
    const conversations = new TypeOrmConversationStore(this.options.reader(), this.options.cipher);
    if (!this.options.router.takesFiles(await conversations.get(roomId, sender))) return undefined;
    const reading = readAttachment(event.getContent());
    if (!reading.ok)
      return {
        ok: false,
        reason: reading.problem.code === "unencrypted" ? "unencrypted" : "unreadable",
      };
    const download = await downloadAttachment(this.options.media, reading.attachment.file, {
      maxBytes: this.options.maxFileBytes(),
    });
    if (!download.ok) {
      const { problem } = download;
      this.options.log.warn("could not download a file", {
        roomId,
        reason: problem.code,
        ...(problem.code === "download-failed"
          ? {
              ...(problem.status === null ? {} : { status: problem.status }),
              ...(problem.errcode === null ? {} : { errcode: problem.errcode }),
            }
          : {}),
      });
      return {
        ok: false,
        reason: problem.code === "too-large" ? "too-large" : "unreadable",
      };
    }
    return {
      ok: true,
      name: reading.attachment.name.slice(0, 200),
      mimetype: reading.attachment.mimetype ?? "application/octet-stream",
      bytes: download.bytes,
    };
  }

  async handle(event: MatrixEvent, manager: EntityManager, prepared?: unknown): Promise<void> {
    if (event.getType() !== "m.room.message") return;
    const roomId = event.getRoomId() ?? "";
    const sender = event.getSender() ?? "";
    const content = event.getContent();
    const roomKind = this.options.roomKinds.kindOf(roomId);
    const language = await languageOf(manager, sender);
    const say = (message: BotMessage): Promise<void> =>
      this.options.outbox.enqueue(manager, roomId, message, sender);
    const text = (key: string, params?: Record<string, string | number>) =>
      renderText(this.options.catalog, language, { key, ...(params ? { params } : {}) });

    if (content["msgtype"] === "m.notice") return; // other bots' notices are not for us
    const held = await this.overLimit(event, manager, roomKind);
    if (held !== undefined) {
      if (held.tell) {
        await audit(manager, { actor: sender, action: "message.limited", roomId });
        const key = held.whose === "room" ? "limits.roomMessages" : "limits.messages";
        await say({
          label: "WHITE",
          step: "limited",
          text: text(key, limitParams(this.options.catalog, language, held)),
        });
      }
      return;
    }
    // An edit changes a message that was handled already. Read as a new message, its text
    // ("* …") answered whatever question came next, or ran a command a second time.
    if (isEdit(content)) {
      await audit(manager, { actor: sender, action: "message.edit", roomId });
      if (roomKind === "direct") await say({ label: "WHITE", text: text("inbox.edited") });
      return;
    }
    const body: unknown = content["body"];
    const file = prepared as ReceivedFile | undefined;
    if (file !== undefined) {
      const context = this.context(event, manager, roomKind, language, "");
      if (await this.options.router.handleFile(context.chat, file)) {
        await context.sent();
        return;
      }
    }
    if (content["msgtype"] !== "m.text" || typeof body !== "string") {
      await audit(manager, { actor: sender, action: "message.unsupported", roomId });
      if (roomKind === "direct") await say({ label: "WHITE", text: text("inbox.unsupported") });
      return;
    }
    if (body.length > MAX_MESSAGE_LENGTH) {
      await audit(manager, { actor: sender, action: "message.too-long", roomId });
      if (roomKind === "direct") {
        await say({
          label: "WHITE",
          text: text("inbox.tooLong", { length: body.length, limit: MAX_MESSAGE_LENGTH }),
        });
      }
      return;
    }
    const directory = this.options.directory();
    if (
      roomKind === "direct" &&
      !directory.isKnown(sender) &&
      !this.options.sharesDsxRoom(sender)
    ) {
      await audit(manager, { actor: sender, action: "message.stranger", roomId });
      await say({ label: "WHITE", text: text("inbox.stranger") });
      return;
    }

    const context = this.context(event, manager, roomKind, language, body);
    await this.options.router.handle(context.chat);
    await context.sent();
  }

  /**
   * A message the bot would answer (anything in a direct room, a command elsewhere) is counted
   * against its sender's and its room's limits; held back, it is not read.
   */
  private async overLimit(
    event: MatrixEvent,
    manager: EntityManager,
    roomKind: RoomKind,
  ): Promise<HeldBack | undefined> {
    const body: unknown = event.getContent()["body"];
    const addressed =
      roomKind === "direct" ||
      (typeof body === "string" && commandText(body, roomKind) !== undefined);
    if (!addressed) return undefined;
    return this.options.limits.message(
      manager,
      {
        eventId: event.getId() ?? "",
        sender: event.getSender() ?? "",
        roomId: event.getRoomId() ?? "",
        direct: roomKind === "direct",
      },
      Date.now(),
    );
  }

  /** The team that receives reports of this kind learns, with counts only, that some wait. */
  private tellTeam(manager: EntityManager, kind: string, held: HeldBack): Promise<void> {
    const { catalog } = this.options;
    const team = this.options.reportTeam(kind);
    return this.options.outbox.enqueue(
      manager,
      team.roomId,
      {
        label: "WHITE",
        step: "held-back",
        text: renderText(catalog, team.language, {
          key: "limits.teamReports",
          params: limitParams(catalog, team.language, held),
        }),
      },
      null,
    );
  }

  /** The chat context of a message, over the event's transaction; `sent()` awaits its queue. */
  private context(
    event: MatrixEvent,
    manager: EntityManager,
    roomKind: RoomKind,
    language: string,
    text: string,
  ): { chat: ChatContext; sent: () => Promise<void> } {
    const roomId = event.getRoomId() ?? "";
    const sender = event.getSender() ?? "";
    const inbound: Inbound = {
      eventId: event.getId() ?? "",
      roomId,
      sender,
      roomKind,
      text,
      ts: event.getTs(),
    };
    const queued: Promise<void>[] = [];
    const say = (message: BotMessage): Promise<void> =>
      this.options.outbox.enqueue(manager, roomId, message, sender);
    const conversations = new TypeOrmConversationStore(manager, this.options.cipher);
    const limit = this.options.limits.reportLimit(manager, inbound.eventId, sender, Date.now());
    const chat: ChatContext = {
      inbound,
      language,
      directory: this.options.directory(),
      catalog: this.options.catalog,
      tlpNames: this.options.tlpNames,
      manager,
      reply: (message) => queued.push(say(message)),
      send: (to, message) => queued.push(this.options.outbox.enqueue(manager, to, message, sender)),
      text: (t, lang) => renderText(this.options.catalog, lang ?? language, t),
      conversations: {
        get: () => conversations.get(roomId, sender),
        save: (state) => conversations.save(roomId, sender, state),
        end: () => conversations.end(roomId, sender),
      },
      setLanguage: async (lang) => {
        await manager.save(Person, { userId: sender, language: lang, updatedAt: Date.now() });
      },
      reports: {
        held: async (kind) => {
          const held = await limit.held();
          if (held?.tell === true) queued.push(this.tellTeam(manager, kind, held));
          return held;
        },
        counted: () => limit.counted(),
      },
    };
    return { chat, sent: () => Promise.all(queued).then(() => undefined) };
  }

  async failed(event: MatrixEvent, manager: EntityManager): Promise<void> {
    const roomId = event.getRoomId() ?? "";
    const sender = event.getSender() ?? "";
    await audit(manager, { actor: sender, action: "event.failed", roomId });
    if (event.getType() !== "m.room.message") return;
    const language = await languageOf(manager, sender);
    await this.options.outbox.enqueue(
      manager,
      roomId,
      { label: "WHITE", text: renderText(this.options.catalog, language, { key: "inbox.failed" }) },
      sender,
    );
  }

  async askToResend(
    event: { roomId: string; sender: string; ts: number },
    manager: EntityManager,
  ): Promise<void> {
    const language = await languageOf(manager, event.sender);
    const time = new Date(event.ts).toISOString().replace("T", " ").slice(0, 16) + " UTC";
    await audit(manager, {
      actor: event.sender,
      action: "message.undecryptable",
      roomId: event.roomId,
    });
    await this.options.outbox.enqueue(
      manager,
      event.roomId,
      {
        label: "WHITE",
        step: "resend",
        text: renderText(this.options.catalog, language, { key: "inbox.resend", params: { time } }),
      },
      event.sender,
    );
  }
}
