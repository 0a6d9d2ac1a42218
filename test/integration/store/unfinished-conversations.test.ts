import { expect } from "chai";
import { randomBytes } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import type { BotMessage } from "../../../src/chat/bot-message.js";
import { Catalog } from "../../../src/chat/catalog.js";
import { TypeOrmConversationStore } from "../../../src/chat/conversation-store.js";
import type { Dialogue } from "../../../src/chat/dialogue.js";
import { UnfinishedConversations } from "../../../src/chat/unfinished-conversations.js";
import { AttachmentStore } from "../../../src/store/attachment-store.js";
import { Attachment, Conversation, Person } from "../../../src/store/entities/index.js";
import { FieldCipher } from "../../../src/store/field-cipher.js";
import { transaction } from "../../../src/store/transaction.js";
import { databaseKinds, eachTestDatabase } from "../../support/databases.js";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12);

for (const kind of databaseKinds()) {
  describe(`unfinished conversations on ${kind}`, function () {
    this.timeout(60_000);
    let dataSource: DataSource;
    const cipher = new FieldCipher(randomBytes(32));
    const files = new AttachmentStore(cipher);
    const said: { roomId: string; message: BotMessage }[] = [];
    // The intake's own discard: the files kept aside under the draft key in the answers.
    const intake = {
      kind: "incident",
      discard: (manager: EntityManager, answers: Record<string, unknown>) =>
        files.discard(manager, typeof answers["draftKey"] === "string" ? answers["draftKey"] : ""),
    } as unknown as Dialogue;
    const unfinished = new UnfinishedConversations({
      dialogues: () => [intake],
      cipher,
      catalog: Catalog.load(),
      forgetAfter: () => 30 * DAY_MS,
      say: (_manager, roomId, message) => {
        said.push({ roomId, message });
        return Promise.resolve();
      },
      jobs: () => ({ schedule: () => Promise.resolve(0) }),
    });

    eachTestDatabase(kind, (opened) => {
      ({ dataSource } = opened);
    });
    beforeEach(() => {
      said.length = 0;
    });

    /** A conversation with a draft file, last answered `daysAgo` days before NOW. */
    async function begun(roomId: string, userId: string, daysAgo: number, sealWith = cipher) {
      await transaction(dataSource, async (manager) => {
        const draftKey = `DRAFT-${randomBytes(6).toString("hex")}`;
        await files.add(manager, draftKey, {
          name: "headers.txt",
          mimetype: "text/plain",
          bytes: Buffer.from("evidence"),
        });
        await new TypeOrmConversationStore(manager, sealWith).save(roomId, userId, {
          kind: "incident",
          step: "files",
          answers: { description: "a phishing page", draftKey },
        });
        await manager.update(
          Conversation,
          { roomId, userId },
          { updatedAt: NOW - daysAgo * DAY_MS },
        );
      });
    }

    it("forgets what waited longer than forgetAfter, with its files, tells each in their language, keeps the rest", async () => {
      await begun("!maria:example.org", "@maria:example.org", 31);
      await begun("!mario:example.org", "@mario:example.org", 45);
      await begun("!carla:example.org", "@carla:example.org", 29);
      await dataSource.manager.insert(Person, {
        userId: "@mario:example.org",
        language: "es",
        updatedAt: NOW,
      });

      const forgotten = await transaction(dataSource, (manager) => unfinished.forget(manager, NOW));

      expect(forgotten).to.equal(2);
      const left = await dataSource.manager.find(Conversation);
      expect(left.map((row) => row.userId)).to.deep.equal(["@carla:example.org"]);
      expect(await dataSource.manager.count(Attachment)).to.equal(1);
      expect(said.map((s) => s.roomId).sort()).to.deep.equal([
        "!maria:example.org",
        "!mario:example.org",
      ]);
      expect(said.every((s) => s.message.label === "WHITE" && s.message.step === "forgotten")).to.be
        .true;
      const toMario = said.find((s) => s.roomId === "!mario:example.org")?.message.text.plain;
      expect(toMario).to.contain("he olvidado tus respuestas");
      // The carla conversation goes once its own time has passed.
      await transaction(dataSource, (manager) => unfinished.forget(manager, NOW + 2 * DAY_MS));
      expect(await dataSource.manager.count(Conversation)).to.equal(0);
      expect(await dataSource.manager.count(Attachment)).to.equal(0);
    });

    it("forgets a conversation whose answers no longer open, without failing", async () => {
      await begun("!maria:example.org", "@maria:example.org", 40, new FieldCipher(randomBytes(32)));
      const forgotten = await transaction(dataSource, (manager) => unfinished.forget(manager, NOW));
      expect(forgotten).to.equal(1);
      expect(await dataSource.manager.count(Conversation)).to.equal(0);
      expect(said).to.have.length(1);
    });
  });
}
