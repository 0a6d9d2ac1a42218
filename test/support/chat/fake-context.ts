import type { EntityManager } from "typeorm";
import type { BotMessage } from "../../../src/chat/bot-message.js";
import { DEFAULT_LANGUAGE } from "../../../src/config/default-language.js";
import { Catalog } from "../../../src/chat/catalog.js";
import type { ChatContext, Inbound, RoomKind } from "../../../src/chat/context.js";
import type { ConversationState } from "../../../src/chat/conversation-store.js";
import { renderText } from "../../../src/chat/render.js";
import { Directory } from "../../../src/config/directory.js";
import { parseConfigText } from "../../../src/config/load.js";

const DIRECTORY_TEXT = `
homeserver: { url: "https://matrix.example.org", serverName: example.org }
bot: { userId: "@dsx:example.org", accessToken: "t", storePassphrase: "twelve chars!" }
dataKey: ${Buffer.alloc(32, 1).toString("base64")}
rooms: { triage: "!triage:x.org", abuseTeam: "!abuse:x.org", advisory: "!advisory:x.org", communityAlerts: "!green:x.org", publicAlerts: "!white:x.org", donors: "!donors:x.org" }
organisations:
  - { id: dsx, role: dsx, members: ["@ana:example.org"] }
  - { id: rights-collective, role: partner, members: ["@maria:example.org"] }
  - { id: securelab, role: provider, members: ["@sam:example.org"] }
abuseTeam: ["@ana:example.org"]
advisoryCommittee: ["@kim:example.org"]
policy: { disclosure: { advisoryQuorum: 1 } }
`;

export function testDirectory(): Directory {
  const result = parseConfigText(DIRECTORY_TEXT, {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return new Directory(result.config);
}

/**
 * A person's side of the chat with no server: what the bot replied, the stored conversation
 * and language survive between messages, as the database keeps them between events.
 */
export class FakeChat {
  readonly sent: { roomId: string; message: BotMessage }[] = [];
  readonly conversations = new Map<string, ConversationState>();
  readonly languages = new Map<string, string>();
  readonly catalog = Catalog.load();
  readonly directory = testDirectory();
  private counter = 0;
  /** The transaction workflows store through; tests that need a database set one. */
  manager: EntityManager = new Proxy(Object.create(null) as EntityManager, {
    get: () => {
      throw new Error("this test has no database");
    },
  });

  context(
    sender: string,
    text: string,
    roomKind: RoomKind = "direct",
    roomId = `!dm-${sender}`,
  ): ChatContext {
    const inbound: Inbound = {
      eventId: `$${++this.counter}`,
      roomId,
      sender,
      roomKind,
      text,
      ts: Date.now(),
    };
    const key = `${roomId}|${sender}`;
    const language = this.languages.get(sender) ?? DEFAULT_LANGUAGE;
    return {
      inbound,
      language,
      directory: this.directory,
      catalog: this.catalog,
      tlpNames: "1.0",
      manager: this.manager,
      reply: (message) => this.sent.push({ roomId, message }),
      send: (to, message) => this.sent.push({ roomId: to, message }),
      text: (text, lang) => renderText(this.catalog, lang ?? language, text),
      conversations: {
        get: () => Promise.resolve(this.conversations.get(key)),
        save: (state) => {
          this.conversations.set(key, structuredClone(state));
          return Promise.resolve();
        },
        end: () => {
          this.conversations.delete(key);
          return Promise.resolve();
        },
      },
      setLanguage: (lang) => {
        this.languages.set(sender, lang);
        return Promise.resolve();
      },
      // Without a database, no limit: the chat world and the conversation tests check them.
      reports: { held: () => Promise.resolve(undefined), counted: () => Promise.resolve() },
    };
  }

  /** The messages the bot said since the last call. */
  take(): BotMessage[] {
    return this.sent.splice(0).map((s) => s.message);
  }
}
