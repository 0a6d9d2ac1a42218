import { Not, type EntityManager } from "typeorm";
import { forgetCaseTrail } from "../../store/case-trail.js";
import { Alert, type AlertKind } from "../../store/entities/alert.js";
import type { FieldCipher } from "../../store/field-cipher.js";

type Sealed = "text" | "kept" | "reason";

/** What a new draft starts with. */
export interface NewAlert {
  readonly caseId: string;
  readonly kind: AlertKind;
  readonly label: string;
  readonly sourceCase: string;
  readonly draftRoomId: string;
  readonly author: string;
  readonly recipientOrg?: string;
  readonly text: string;
}

/** Alert rows, with the draft, the kept findings and the reason sealed (bound to the alert). */
export class AlertStore {
  constructor(private readonly cipher: FieldCipher) {}

  async create(manager: EntityManager, draft: NewAlert): Promise<Alert> {
    const now = Date.now();
    return manager.save(
      manager.create(Alert, {
        caseId: draft.caseId,
        kind: draft.kind,
        label: draft.label,
        state: "reviewing",
        sourceCase: draft.sourceCase,
        draftRoomId: draft.draftRoomId,
        author: draft.author,
        recipientOrg: draft.recipientOrg ?? null,
        text: this.seal(draft.caseId, "text", draft.text),
        kept: this.seal(draft.caseId, "kept", "[]"),
        approvals: "[]",
        approvedVia: null,
        reason: null,
        deliveryRoomId: null,
        postedMonth: null,
        postedAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  get(manager: EntityManager, caseId: string): Promise<Alert | null> {
    return manager.findOneBy(Alert, { caseId });
  }

  /** The warning whose room this is, once approved. */
  byDeliveryRoom(manager: EntityManager, roomId: string): Promise<Alert | null> {
    return manager.findOneBy(Alert, { deliveryRoomId: roomId, kind: "warning" });
  }

  /** The warnings of a case that have a room of their own. */
  async deliveredOf(manager: EntityManager, sourceCase: string): Promise<Alert[]> {
    return (await manager.findBy(Alert, { sourceCase, kind: "warning" })).filter(
      (alert) => alert.deliveryRoomId !== null,
    );
  }

  /** The drafts waiting for someone's approval. */
  awaiting(manager: EntityManager): Promise<Alert[]> {
    return manager.find(Alert, { where: { state: "awaiting-approval" }, order: { id: "ASC" } });
  }

  seal(caseId: string, column: Sealed, value: string): string {
    return this.cipher.encrypt(value, `alert.${column}:${caseId}`);
  }

  open(alert: Alert, column: Sealed): string {
    const value = alert[column];
    return value === null ? "" : this.cipher.decrypt(value, `alert.${column}:${alert.caseId}`);
  }

  /** The findings the author kept as harmless, in lower case. */
  kept(alert: Alert): string[] {
    const text = this.open(alert, "kept");
    return text === "" ? [] : (JSON.parse(text) as string[]);
  }

  approvals(alert: Alert): string[] {
    return alert.approvals === null ? [] : (JSON.parse(alert.approvals) as string[]);
  }

  async update(
    manager: EntityManager,
    alert: Alert,
    changes: Partial<Omit<Alert, "id" | "caseId" | "createdAt">>,
  ): Promise<void> {
    await manager.update(Alert, { id: alert.id }, { ...changes, updatedAt: Date.now() });
    Object.assign(alert, changes);
  }

  /** Alerts posted in a month (`YYYY-MM`), for statistics. */
  postedIn(manager: EntityManager, month: string): Promise<number> {
    return manager.countBy(Alert, { kind: "community", postedMonth: month });
  }

  /**
   * Its case closed: drafts and private warnings (case details) are deleted; a posted community
   * alert keeps its text (it was shared) and loses everything that ties it to the case, in its
   * audit entries and sent messages too (they name the ticket's people and rooms).
   */
  async forgetCase(manager: EntityManager, sourceCase: string): Promise<void> {
    const drawn = await manager.find(Alert, { select: { caseId: true }, where: { sourceCase } });
    await forgetCaseTrail(
      manager,
      drawn.map((alert) => alert.caseId),
    );
    await manager.delete(Alert, { sourceCase, state: Not("posted") });
    await manager.delete(Alert, { sourceCase, kind: "warning" });
    await manager.update(
      Alert,
      { sourceCase },
      {
        sourceCase: null,
        draftRoomId: null,
        author: null,
        kept: null,
        approvals: null,
        reason: null,
        updatedAt: Date.now(),
      },
    );
  }
}
