import type { EntityManager } from "typeorm";
import { Conversation } from "../store/entities/conversation.js";
import type { FieldCipher } from "../store/field-cipher.js";

/** A conversation in progress: the dialogue, the field asked for, and the answers so far. */
export interface ConversationState {
  readonly kind: string;
  readonly step: string;
  readonly answers: Readonly<Record<string, unknown>>;
}

/** Conversations of one person in one room, stored with their answers sealed. */
export class TypeOrmConversationStore {
  constructor(
    private readonly manager: EntityManager,
    private readonly cipher: FieldCipher,
  ) {}

  async get(roomId: string, userId: string): Promise<ConversationState | undefined> {
    const row = await this.manager.findOneBy(Conversation, { roomId, userId });
    return row ? stateOf(row, this.cipher) : undefined;
  }

  async save(roomId: string, userId: string, state: ConversationState): Promise<void> {
    const answers = this.cipher.encrypt(JSON.stringify(state.answers), context(roomId, userId));
    const existing = await this.manager.findOneBy(Conversation, { roomId, userId });
    const row = existing ?? this.manager.create(Conversation, { roomId, userId });
    Object.assign(row, { kind: state.kind, step: state.step, answers });
    await this.manager.save(row);
  }

  async end(roomId: string, userId: string): Promise<void> {
    await this.manager.delete(Conversation, { roomId, userId });
  }
}

function context(roomId: string, userId: string): string {
  return `conversation.answers:${roomId}|${userId}`;
}

/** A stored conversation, its answers opened. */
export function stateOf(row: Conversation, cipher: FieldCipher): ConversationState {
  const sealed = cipher.decrypt(row.answers, context(row.roomId, row.userId));
  return { kind: row.kind, step: row.step, answers: JSON.parse(sealed) as Record<string, unknown> };
}
