import type { ChatContext } from "../../chat/context.js";
import { MAX_ANSWER_LENGTH } from "../../chat/fields.js";
import { parseCaseId } from "../../store/case-numbers.js";
import { audit } from "../../store/audit-log.js";
import type { Alert } from "../../store/entities/alert.js";
import { replyNoCaseForYou } from "../no-case-for-you.js";
import type { AlertStore, Decision } from "./alert-store.js";
import type { Drafts } from "./drafts.js";
import { finished, tell } from "./messages.js";
import type { AlertSource } from "./sources.js";

export interface ApprovalsOptions {
  readonly drafts: Drafts;
  readonly store: AlertStore;
  readonly advisoryQuorum: () => number;
}

/**
 * The answers to a draft's request for approval: the partner's (or the affected party's) yes
 * or no, or, where the policy allows, the advisory committee's yes, each member saying why, the
 * quorum sending it. A yes hands the draft to its kind to send on.
 */
export class Approvals {
  constructor(private readonly o: ApprovalsOptions) {}

  /**
   * `approve [ALR-…]`: by the partner in the ticket room, the affected party in its direct room,
   * or a member of the advisory committee with a reason (the quorum sends it) where the policy
   * allows.
   */
  async approve(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const { inbound } = context;
    if (inbound.roomKind === "advisory") {
      await this.approveForCommittee(context, alert, source, rest);
      return;
    }
    if (!isPartnerHere(context, source)) {
      tell(context, { key: "alert.notApprover", params: { caseId: alert.caseId } });
      return;
    }
    const via = inbound.roomKind === "direct" ? "affected" : "partner";
    await this.o.drafts.kindOf(alert).publish(context.manager, alert, via, inbound.sender);
  }

  /** `refuse [ALR-…]`: the partner says no; nothing is sent. */
  async refuse(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const caseId = alert.caseId;
    if (!isPartnerHere(context, source)) {
      tell(context, { key: "alert.notApprover", params: { caseId } });
      return;
    }
    await this.o.store.update(context.manager, alert, { state: "refused" });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "alert.refused",
      caseId,
    });
    await this.o.drafts.tellDraftRoom(context.manager, alert, source, "alert-refused", {
      key: "alert.refused",
    });
    if (context.inbound.roomId !== alert.draftRoomId)
      tell(context, { key: "alert.refused", params: { caseId } }, caseId);
  }

  /** `approve ALR-… <reason>` in the advisory room: one member's yes, counted to the quorum. */
  private async approveForCommittee(
    context: ChatContext,
    alert: Alert,
    source: AlertSource,
    rest: string,
  ): Promise<void> {
    const { manager, inbound } = context;
    const caseId = alert.caseId;
    if (!source.advisoryMayApprove || !context.directory.isAdvisoryCommittee(inbound.sender)) {
      tell(context, { key: "alert.notApprover", params: { caseId } });
      return;
    }
    const reason = rest.trim().slice(caseId.length).trim();
    if (reason === "") {
      tell(context, { key: "alert.reasonNeeded", params: { caseId } });
      return;
    }
    const decisions: Decision[] = [
      ...this.o.store.decisions(alert).filter((d) => d.userId !== inbound.sender),
      { userId: inbound.sender, reason: reason.slice(0, MAX_ANSWER_LENGTH) },
    ];
    await this.o.store.recordDecisions(manager, alert, decisions);
    await audit(manager, { actor: inbound.sender, action: "alert.advisory-approved", caseId });
    const quorum = this.o.advisoryQuorum();
    tell(context, {
      key: "alert.approvalRecorded",
      params: { caseId, count: decisions.length, quorum },
    });
    if (decisions.length >= quorum)
      await this.o.drafts.kindOf(alert).publish(manager, alert, "advisory", inbound.sender);
  }

  /**
   * The draft named (or, without a name, the one draft of this room waiting for approval),
   * waiting for approval; others get a polite no, and those who do not see it the neutral one.
   */
  private async pending(
    context: ChatContext,
    rest: string,
  ): Promise<{ alert: Alert; source: AlertSource } | undefined> {
    const id = rest.split(/\s+/)[0] ?? "";
    const { manager, inbound } = context;
    let alert: Alert | null;
    if (id === "") {
      const waiting: Alert[] = [];
      for (const candidate of await this.o.store.awaiting(manager)) {
        const asks = (await this.o.drafts.sourceOf(manager, candidate))?.asks ?? [];
        if (asks.some((ask) => ask.roomId === inbound.roomId)) waiting.push(candidate);
      }
      if (waiting.length !== 1) {
        tell(context, { key: "alert.nameIt", params: { count: waiting.length } });
        return undefined;
      }
      alert = waiting[0] ?? null;
    } else {
      alert = await this.o.store.get(manager, parseCaseId(id)?.id ?? id);
    }
    const source = alert ? await this.o.drafts.sourceOf(manager, alert) : undefined;
    if (!alert || !source || !seesDraft(context, alert, source)) {
      replyNoCaseForYou(context, parseCaseId(id)?.id ?? id);
      return undefined;
    }
    if (alert.state === "reviewing") {
      tell(context, { key: "alert.notReady", params: { caseId: alert.caseId } });
      return undefined;
    }
    if (alert.state !== "awaiting-approval") {
      tell(context, finished(context, alert));
      return undefined;
    }
    return { alert, source };
  }
}

/**
 * Whether an alert exists, and how far it got, is told only where it was drafted or approval
 * asked, and to the advisory committee; elsewhere it answers as an unknown number would.
 */
function seesDraft(context: ChatContext, alert: Alert, source: AlertSource): boolean {
  const { roomId, roomKind, sender } = context.inbound;
  if (roomKind === "advisory") return context.directory.isAdvisoryCommittee(sender);
  return roomId === alert.draftRoomId || source.asks.some((ask) => ask.roomId === roomId);
}

/** The partner's people, in the ticket room or (for a vulnerability) their direct room. */
function isPartnerHere(context: ChatContext, source: AlertSource): boolean {
  const { roomId, sender } = context.inbound;
  return source.approvers.includes(sender) && source.asks.some((ask) => ask.roomId === roomId);
}
