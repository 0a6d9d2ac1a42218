import type { EntityManager } from "typeorm";
import { tlpTag } from "../../policy/tlp.js";
import type { Alert } from "../../store/entities/alert.js";
import { languageOf } from "../../store/people.js";
import type { Drafts, DraftsOptions } from "./drafts.js";
import { findIdentifiers, type Finding } from "./identifiers.js";
import { approvalRequest, findingsReview } from "./messages.js";
import type { AlertSource } from "./sources.js";

/**
 * A draft's way to approval: it is scanned for what could identify the partner or the people
 * involved, and its author keeps or removes each finding; once none is left open the partner
 * (or the affected party of a vulnerability) is asked to approve it, and where the policy
 * reserves it ("where a vulnerability may seriously affect the security of DSX partners, and
 * the relevant partner is non responsive") the advisory committee too.
 */
export class Review {
  constructor(
    private readonly o: DraftsOptions,
    private readonly drafts: Pick<Drafts, "kindOf" | "tellDraftRoom">,
  ) {}

  /** What in the draft could identify someone and the author has not kept. */
  openFindings(
    alert: Alert,
    source: AlertSource,
    text: string,
    kept: readonly string[],
  ): Finding[] {
    const names = this.o.sources.knownNames(source, this.o.displayNames(alert.draftRoomId ?? ""));
    const scanned = this.drafts.kindOf(alert).scanned(alert, names);
    return findIdentifiers(text, scanned).filter((f) => !kept.includes(f.text.toLowerCase()));
  }

  /** Shows the findings still open; once there are none, asks for approval. */
  async review(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    language: string,
  ): Promise<void> {
    const text = this.o.store.open(alert, "text");
    const open = this.openFindings(alert, source, text, this.o.store.kept(alert));
    if (open.length > 0 && alert.draftRoomId !== null) {
      await this.o.store.update(manager, alert, { state: "reviewing" });
      const label = tlpTag(alert.label, this.o.tlpNames);
      await this.o.say(manager, alert.draftRoomId, {
        label: source.label,
        caseId: alert.caseId,
        step: "review",
        text: findingsReview(this.o.catalog, language, alert.caseId, label, open),
      });
      return;
    }
    await this.o.store.update(manager, alert, { state: "awaiting-approval" });
    await this.askApproval(manager, alert, source, text);
  }

  /** The partner (or the affected party) is asked; for a serious silent case, the committee. */
  private async askApproval(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    text: string,
  ): Promise<void> {
    const caseId = alert.caseId;
    const kind = this.drafts.kindOf(alert);
    for (const { roomId, userId } of source.asks) {
      const language = await languageOf(manager, userId);
      await this.o.say(manager, roomId, {
        label: source.label,
        caseId,
        step: "approval-request",
        text: approvalRequest(
          this.o.catalog,
          language,
          {
            key: "alert.approvalRequest",
            params: { caseId, destination: kind.destination(alert, language) },
          },
          kind.preview(alert, text, language),
        ),
      });
    }
    const advisory = this.o.advisoryRoomId();
    const committee = source.advisoryMayApprove && advisory !== undefined;
    // An author outside the rooms asked (the DSX team in triage) hears who was asked.
    if (!source.asks.some((ask) => ask.roomId === alert.draftRoomId))
      await this.drafts.tellDraftRoom(manager, alert, source, "approval-asked", {
        key: committee ? "alert.askedWithCommittee" : "alert.asked",
        params: { count: source.asks.length },
      });
    if (committee) {
      const language = this.o.advisoryLanguage();
      // The committee is outside a warning's audience: it sees the request, not the warning.
      const warning = alert.kind === "warning";
      await this.o.say(manager, advisory, {
        label: warning ? "GREEN" : alert.label,
        caseId,
        step: "approval-request",
        text: approvalRequest(
          this.o.catalog,
          language,
          {
            key: "alert.approvalAdvisory",
            params: {
              caseId,
              quorum: this.o.advisoryQuorum(),
              destination: kind.destination(alert, language),
            },
          },
          warning ? undefined : kind.preview(alert, text, language),
        ),
      });
    }
  }
}
