import type { EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import type { Catalog } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { renderText } from "../../chat/render.js";
import { parseTlp } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import { parseCaseId } from "../../store/case-numbers.js";
import type { Alert } from "../../store/entities/alert.js";
import type { AlertStore } from "./alert-store.js";
import type { ApprovalPath, Drafts, DraftsOptions } from "./drafts.js";
import { alertText, tell } from "./messages.js";
import type { AlertSource, AlertSources } from "./sources.js";

/** The configured rooms community alerts go to. */
export type AlertRoom = "communityAlerts" | "publicAlerts" | "donors";

export interface AlertsOptions {
  readonly drafts: Drafts;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  readonly catalog: Catalog;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: Say;
  readonly room: DraftsOptions["room"];
  readonly roomLanguage: DraftsOptions["roomLanguage"];
}

/** Where an alert of each label is posted: WHITE also reaches donors, as a threat notification. */
const DESTINATIONS: Record<"GREEN" | "WHITE", readonly AlertRoom[]> = {
  GREEN: ["communityAlerts"],
  WHITE: ["publicAlerts", "communityAlerts", "donors"],
};

/**
 * Community alerts (the Information Handling Policy: "non-sensitive information related to
 * community threats will be extracted from incidents and shared as a community alert").
 * `!dsx alert GREEN|WHITE <text>` in a ticket room, or `!dsx alert VUL-… GREEN|WHITE <text>` in
 * triage, drafts one (reviewed and approved as every draft is); once approved it is posted to
 * the alert rooms, each in its language.
 */
export class Alerts {
  constructor(private readonly o: AlertsOptions) {
    o.drafts.define("community", {
      preview: (alert, text, language) => alertText(o.catalog, language, alert.caseId, text),
      destination: (alert, language) => this.destination(alert, language),
      scanned: (_alert, names) => names,
      publish: (manager, alert, via, actor) => this.post(manager, alert, via, actor),
    });
  }

  /** `!dsx alert …`: a new draft, or a change to one (`!dsx alert ALR-… keep 2`). */
  async alert(context: ChatContext, rest: string): Promise<void> {
    const first = rest.split(/\s+/)[0] ?? "";
    if (parseCaseId(first)?.kind === "ALR") {
      await this.o.drafts.change(context, first, rest.slice(first.length).trim());
      return;
    }
    const triage = context.inbound.roomKind === "triage";
    const usage = triage ? "alert.usageTriage" : "alert.usage";
    let draft = rest;
    let source: AlertSource | undefined;
    if (triage) {
      const caseId = parseCaseId(first);
      source =
        caseId?.kind === "VUL" ? await this.o.sources.of(context.manager, caseId.id) : undefined;
      draft = rest.slice(first.length);
      if (source === undefined) {
        tell(context, { key: usage });
        return;
      }
    } else {
      source = await this.o.sources.ofTicketRoom(context.manager, context.inbound.roomId);
    }
    if (!source?.mayDraft(context.inbound.sender)) {
      tell(context, { key: "alert.notAllowed" });
      return;
    }
    const word = draft.trim().split(/\s+/)[0] ?? "";
    const label = parseTlp(word);
    const text = draft.trim().slice(word.length).trim();
    if ((label !== "GREEN" && label !== "WHITE") || text === "") {
      tell(context, { key: usage });
      return;
    }
    await this.o.drafts.create(context, source, { kind: "community", label, text });
  }

  private destination(alert: Alert, language: string): string {
    return DESTINATIONS[labelOf(alert)]
      .map((key) => renderText(this.o.catalog, language, { key: `alert.room.${key}` }).plain)
      .join(", ");
  }

  /** Posts an approved alert to its rooms, each in the room's language. */
  private async post(
    manager: EntityManager,
    alert: Alert,
    via: ApprovalPath,
    actor: string,
  ): Promise<void> {
    const caseId = alert.caseId;
    const label = labelOf(alert);
    const text = this.o.store.open(alert, "text");
    for (const key of DESTINATIONS[label]) {
      const roomId = this.o.room(key);
      if (roomId === undefined) continue;
      await this.o.say(manager, roomId, {
        label,
        caseId,
        step: "alert",
        text: alertText(this.o.catalog, this.o.roomLanguage(key), caseId, text),
      });
    }
    const now = new Date();
    await this.o.store.update(manager, alert, {
      state: "posted",
      approvedVia: via,
      postedAt: now.getTime(),
      postedMonth: now.toISOString().slice(0, 7),
    });
    await audit(manager, { actor, action: "alert.posted", caseId, outcome: via });
    const source = await this.o.drafts.sourceOf(manager, alert);
    if (source)
      await this.o.drafts.tellDraftRoom(manager, alert, source, "alert-posted", (language) => ({
        key: "alert.posted",
        params: { rooms: this.destination(alert, language) },
      }));
  }
}

function labelOf(alert: Alert): "GREEN" | "WHITE" {
  return alert.label === "WHITE" ? "WHITE" : "GREEN";
}
