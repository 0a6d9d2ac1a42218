import type { TlpLabel } from "../../policy/tlp.js";
import { Not, type EntityManager } from "typeorm";
import { z } from "zod";
import { jsonCodec } from "../../store/stored-json.js";
import { forgetCaseTrail } from "../../store/case-trail.js";
import { Alert, type AlertKind } from "../../store/entities/alert.js";
import type { FieldCipher } from "../../store/field-cipher.js";

type Sealed = "text" | "kept" | "reason";

/** What a new draft starts with. */
export interface NewAlert {
  readonly caseId: string;
  readonly kind: AlertKind;
  readonly label: TlpLabel;
  readonly sourceCase: string;
  readonly draftRoomId: string;
  readonly author: string;
  readonly recipientOrg?: string;
  readonly text: string;
}

/** An advisory member's approval, with why DSX acts without the partner. */
export interface Decision {
  readonly userId: string;
  readonly reason: string;
}

/** The kept findings, and who of the advisory committee approved. */
const KEPT = jsonCodec("the kept findings", z.array(z.string()));
const APPROVALS = jsonCodec("the approvals", z.array(z.string()));
const DECISIONS = jsonCodec(
  "the advisory reasons",
  z.array(z.object({ userId: z.string(), reason: z.string() })),
);

/** Alert rows, with the draft, the kept findings and the reason sealed (bound to the alert). */
export class AlertStore {
  constructor(private readonly cipher: FieldCipher) {}

  /** A new draft, in review, its text sealed and nothing kept yet. */
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

  /** The alert or warning of this number. */
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

  /** A value sealed for one column of one alert (it opens nowhere else). */
  seal(caseId: string, column: Sealed, value: string): string {
    return this.cipher.encrypt(value, `alert.${column}:${caseId}`);
  }

  /** A sealed column read back; "" when it is empty. */
  open(alert: Alert, column: Sealed): string {
    const value = alert[column];
    return value === null ? "" : this.cipher.decrypt(value, `alert.${column}:${alert.caseId}`);
  }

  /** The findings the author kept as harmless, in lower case. */
  kept(alert: Alert): string[] {
    const text = this.open(alert, "kept");
    return text === "" ? [] : KEPT.decode(text, alert.caseId);
  }

  /** The advisory members who approved (plain, to count them without opening the reasons). */
  approvals(alert: Alert): string[] {
    return alert.approvals === null ? [] : APPROVALS.decode(alert.approvals, alert.caseId);
  }

  /** The advisory members who approved, and why (sealed). */
  decisions(alert: Alert): Decision[] {
    const text = this.open(alert, "reason");
    return text === "" ? [] : DECISIONS.decode(text, alert.caseId);
  }

  /**
   * The author changed the draft: its text and kept findings are sealed anew, and the approvals
   * given so far are dropped, since they were for the draft as it was.
   */
  async revise(
    manager: EntityManager,
    alert: Alert,
    text: string,
    kept: readonly string[],
  ): Promise<void> {
    await this.update(manager, alert, {
      text: this.seal(alert.caseId, "text", text),
      kept: this.seal(alert.caseId, "kept", KEPT.encode([...kept])),
      approvals: "[]",
      reason: null,
    });
  }

  /** The advisory members' approvals so far: who (plain, to count them) and why (sealed). */
  async recordDecisions(
    manager: EntityManager,
    alert: Alert,
    decisions: readonly Decision[],
  ): Promise<void> {
    await this.update(manager, alert, {
      approvals: APPROVALS.encode(decisions.map((d) => d.userId)),
      reason: this.seal(alert.caseId, "reason", DECISIONS.encode([...decisions])),
    });
  }

  /** Changes an alert's row, and the alert in hand with it. */
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
