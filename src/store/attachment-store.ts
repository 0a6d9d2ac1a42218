import type { EntityManager } from "typeorm";
import { Attachment } from "./entities/attachment.js";
import type { FieldCipher } from "./field-cipher.js";

/** A file to keep for a case: the decrypted bytes and what the sender called it. */
export interface NewAttachment {
  readonly name: string;
  readonly mimetype: string;
  readonly bytes: Uint8Array;
}

/** What a listing shows of an attachment: never its contents. */
export interface AttachmentSummary {
  readonly id: number;
  readonly name: string;
  readonly size: number;
}

/** An attachment read back, unsealed. */
export interface StoredAttachment extends AttachmentSummary {
  readonly caseId: string;
  readonly mimetype: string;
  readonly bytes: Buffer;
  readonly createdAt: number;
}

type SealedColumn = "name" | "mimetype" | "content";

/**
 * The files of cases, sealed with the data key. Each sealed value is bound to its column, its
 * case and its row, so that a value copied to another row or case does not open.
 */
export class AttachmentStore {
  constructor(private readonly cipher: FieldCipher) {}

  /**
   * Keeps a file for a case, in the caller's transaction (`src/store/transaction.ts`). The row's
   * id is part of the sealing context, so the row is written and then sealed.
   */
  add(manager: EntityManager, caseId: string, file: NewAttachment): Promise<AttachmentSummary> {
    return this.insert(manager, caseId, file);
  }

  /** The attachments of a case, oldest first: ids, names and sizes (the contents stay unread). */
  async list(manager: EntityManager, caseId: string): Promise<AttachmentSummary[]> {
    const rows = await manager.find(Attachment, {
      select: { id: true, caseId: true, name: true, size: true },
      where: { caseId },
      order: { id: "ASC" },
    });
    return rows.map((row) => ({
      id: row.id,
      name: this.open(row.name, "name", row.caseId, row.id),
      size: row.size,
    }));
  }

  /** One attachment with its bytes, or `undefined` when there is none with that id. */
  async read(manager: EntityManager, id: number): Promise<StoredAttachment | undefined> {
    const row = await manager.findOneBy(Attachment, { id });
    if (row === null) return undefined;
    return {
      id: row.id,
      caseId: row.caseId,
      name: this.open(row.name, "name", row.caseId, row.id),
      mimetype: this.open(row.mimetype, "mimetype", row.caseId, row.id),
      size: row.size,
      bytes: Buffer.from(this.open(row.content, "content", row.caseId, row.id), "base64"),
      createdAt: row.createdAt,
    };
  }

  /**
   * Moves files kept under a draft key to the case they belong to: each is sealed anew for the
   * case (its draft row goes), so the case's files open only as the case's.
   */
  async adopt(manager: EntityManager, ids: readonly number[], caseId: string): Promise<void> {
    for (const id of ids) {
      const draft = await this.read(manager, id);
      if (draft === undefined) continue;
      await this.insert(manager, caseId, draft);
      await manager.delete(Attachment, { id });
    }
  }

  /** Forgets the files kept under a draft key (a report dropped before it was confirmed). */
  async discard(manager: EntityManager, draftKey: string): Promise<void> {
    if (draftKey !== "") await this.deleteCase(manager, draftKey);
  }

  /** Deletes every attachment of a case (when it closes); returns how many there were. */
  async deleteCase(manager: EntityManager, caseId: string): Promise<number> {
    const result = await manager.delete(Attachment, { caseId });
    return result.affected ?? 0;
  }

  private async insert(
    manager: EntityManager,
    caseId: string,
    file: NewAttachment,
  ): Promise<AttachmentSummary> {
    const now = Date.now();
    const inserted = await manager.insert(Attachment, {
      caseId,
      name: "",
      mimetype: "",
      size: file.bytes.length,
      content: "",
      createdAt: now,
      updatedAt: now,
    });
    const id = idOf(inserted.identifiers[0]);
    await manager.update(
      Attachment,
      { id },
      {
        name: this.seal(file.name, "name", caseId, id),
        mimetype: this.seal(file.mimetype, "mimetype", caseId, id),
        content: this.seal(Buffer.from(file.bytes).toString("base64"), "content", caseId, id),
      },
    );
    return { id, name: file.name, size: file.bytes.length };
  }

  private seal(value: string, column: SealedColumn, caseId: string, id: number): string {
    return this.cipher.encrypt(value, context(column, caseId, id));
  }

  private open(value: string, column: SealedColumn, caseId: string, id: number): string {
    return this.cipher.decrypt(value, context(column, caseId, id));
  }
}

function context(column: SealedColumn, caseId: string, id: number): string {
  return `attachment.${column}:${caseId}:${String(id)}`;
}

function idOf(identifier: Record<string, unknown> | undefined): number {
  const id = identifier?.id;
  if (typeof id !== "number") throw new Error("the database gave no id for the new attachment");
  return id;
}
