import type { EntityManager } from "typeorm";
import type { BotMessage } from "../../chat/bot-message.js";
import type { Catalog, Text } from "../../chat/catalog.js";
import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { MAX_ANSWER_LENGTH } from "../../chat/fields.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { ChatModule } from "../../chat/router.js";
import type { Directory } from "../../config/directory.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import { parseTlp, tlpName, type TlpLabel, type TlpNames } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId, parseCaseId } from "../../store/case-numbers.js";
import type { Alert } from "../../store/entities/alert.js";
import { languageOf } from "../../store/people.js";
import { alertText } from "./alert-message.js";
import type { AlertStore } from "./alert-store.js";
import { findIdentifiers, withoutFinding, type Finding } from "./identifiers.js";
import type { AlertSource, AlertSources } from "./sources.js";

/** The configured rooms alerts go to (and where the advisory committee is asked). */
export type AlertRoom = "communityAlerts" | "publicAlerts" | "donors" | "advisory";

export interface AlertsOptions {
  readonly reader: () => EntityManager;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: (manager: EntityManager, roomId: string, message: BotMessage) => Promise<void>;
  readonly room: (key: AlertRoom) => string | undefined;
  readonly roomLanguage: (key: AlertRoom) => string;
  /** The display names of a room's members: names a draft may give away. */
  readonly displayNames: (roomId: string) => string[];
  readonly advisoryQuorum: () => number;
  /** The exchanges of the cases alerts come from. */
  readonly exchanges: ExchangeResolver;
}

/** Where an alert of each label is posted: WHITE also reaches donors, as a threat notification. */
const DESTINATIONS: Record<"GREEN" | "WHITE", readonly AlertRoom[]> = {
  GREEN: ["communityAlerts"],
  WHITE: ["publicAlerts", "communityAlerts", "donors"],
};

const ALERT_ID = /^ALR-/i;

/**
 * Community alerts (the Information Handling Policy: "non-sensitive information related to
 * community threats will be extracted from incidents and shared as a community alert", with
 * "the approval of the partners concerned"). `!dsx alert GREEN|WHITE <text>` in a ticket room
 * (or `!dsx alert VUL-… …` in triage) drafts one; the draft is scanned for what could identify
 * the partner or the people involved and the author edits or keeps each finding; then the
 * partner approves (for a serious vulnerability whose affected party does not answer, the
 * advisory quorum may instead) and it is posted to the alert rooms through the outbox.
 */
export class Alerts {
  constructor(private readonly o: AlertsOptions) {}

  chatModule(): ChatModule {
    return {
      commands: [
        {
          words: ["alert"],
          rooms: ["ticket", "triage"],
          summary: "alert.command",
          run: (context, rest) => this.alert(context, rest),
        },
        {
          words: ["approve"],
          rooms: ["ticket", "direct", "advisory"],
          argument: ALERT_ID,
          summary: "alert.commandApprove",
          run: (context, rest) => this.approve(context, rest),
        },
        {
          words: ["refuse"],
          rooms: ["ticket", "direct"],
          argument: ALERT_ID,
          summary: "alert.commandRefuse",
          run: (context, rest) => this.refuse(context, rest),
        },
      ] satisfies Command[],
    };
  }

  /** An alert's messages are checked against the exchange of the case it comes from. */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId) => {
        const alert = await this.o.store.get(this.o.reader(), caseId);
        return alert?.sourceCase == null
          ? undefined
          : this.o.exchanges.exchangeOf(alert.sourceCase);
      },
    };
  }

  /** The case closed: its drafts are deleted, its posted alerts no longer point to it. */
  forgetCase(manager: EntityManager, caseId: string): Promise<void> {
    return this.o.store.forgetCase(manager, caseId);
  }

  /** `!dsx alert …`: a new draft, or a change to one (`!dsx alert ALR-… keep 2`). */
  private async alert(context: ChatContext, rest: string): Promise<void> {
    const first = rest.split(/\s+/)[0] ?? "";
    if (parseCaseId(first)?.kind === "ALR") {
      await this.change(context, first, rest.slice(first.length).trim());
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
    } else {
      source = await this.o.sources.ofTicketRoom(context.manager, context.inbound.roomId);
    }
    if (triage && source === undefined) {
      this.tell(context, { key: usage });
      return;
    }
    if (!source?.mayDraft(context.inbound.sender)) {
      this.tell(context, { key: "alert.notAllowed" });
      return;
    }
    const [word = "", ...words] = draft.trim().split(/\s+/);
    const label = parseTlp(word);
    const text = draft.trim().slice(word.length).trim();
    if ((label !== "GREEN" && label !== "WHITE") || words.length === 0 || text === "") {
      this.tell(context, { key: usage });
      return;
    }
    if (text.length > MAX_ANSWER_LENGTH) {
      this.tell(context, {
        key: "alert.tooLong",
        params: { length: text.length, limit: MAX_ANSWER_LENGTH },
      });
      return;
    }
    const caseId = await nextCaseId(context.manager, "ALR", new Date());
    const alert = await this.o.store.create(context.manager, {
      caseId,
      kind: "community",
      label,
      sourceCase: source.caseId,
      draftRoomId: source.draftRoomId,
      author: context.inbound.sender,
      text,
    });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "alert.drafted",
      caseId,
      outcome: label,
    });
    await this.review(context.manager, alert, source, context.language);
  }

  /** `!dsx alert ALR-… keep|remove <n>`, `edit <text>`, `withdraw`, or nothing (show it). */
  private async change(context: ChatContext, id: string, rest: string): Promise<void> {
    const { manager, inbound } = context;
    const alert = await this.o.store.get(manager, parseCaseId(id)?.id ?? id);
    if (alert?.kind !== "community" || alert.draftRoomId !== inbound.roomId) {
      this.tell(context, { key: "alert.notFound", params: { caseId: id.slice(0, 40) } });
      return;
    }
    const source =
      alert.sourceCase === null ? undefined : await this.o.sources.of(manager, alert.sourceCase);
    const caseId = alert.caseId;
    if (!source || !["reviewing", "awaiting-approval"].includes(alert.state)) {
      this.tell(context, {
        key: "alert.finished",
        params: { caseId, state: context.text({ key: `alertState.${alert.state}` }).plain },
      });
      return;
    }
    const [verb = "", ...words] = rest.split(/\s+/);
    const action = verb.toLowerCase();
    if (action === "") return this.review(manager, alert, source, context.language);
    if (inbound.sender !== alert.author) {
      this.tell(context, { key: "alert.onlyAuthor", params: { caseId } });
      return;
    }
    if (action === "withdraw") {
      await this.o.store.update(manager, alert, { state: "withdrawn" });
      await audit(manager, { actor: inbound.sender, action: "alert.withdrawn", caseId });
      this.tell(context, { key: "alert.withdrawn", params: { caseId } }, caseId);
      return;
    }
    let text = this.o.store.open(alert, "text");
    let kept = this.o.store.kept(alert);
    if (action === "edit") {
      text = rest.slice(verb.length).trim();
      if (text === "") {
        this.tell(context, { key: "alert.editUsage", params: { caseId } });
        return;
      }
      if (text.length > MAX_ANSWER_LENGTH) {
        this.tell(context, {
          key: "alert.tooLong",
          params: { length: text.length, limit: MAX_ANSWER_LENGTH },
        });
        return;
      }
    } else if (action === "keep" || action === "remove") {
      const open = this.openFindings(alert, source, text, kept);
      const number = Number(words[0]);
      const finding = Number.isInteger(number) ? open[number - 1] : undefined;
      if (finding === undefined) {
        this.tell(context, {
          key: "alert.noSuchFinding",
          params: { number: (words[0] ?? "").slice(0, 10), count: open.length },
        });
        return;
      }
      if (action === "keep") kept = [...kept, finding.text.toLowerCase()];
      else text = withoutFinding(text, finding.text);
    } else {
      this.tell(context, { key: "alert.changeUsage", params: { caseId } });
      return;
    }
    // A changed draft is reviewed, and asked for approval, anew.
    await this.o.store.update(manager, alert, {
      text: this.o.store.seal(caseId, "text", text),
      kept: this.o.store.seal(caseId, "kept", JSON.stringify(kept)),
      approvals: "[]",
    });
    await audit(manager, { actor: inbound.sender, action: `alert.${action}`, caseId });
    await this.review(manager, alert, source, context.language);
  }

  /** What in the draft could identify someone and the author has not kept. */
  private openFindings(
    alert: Alert,
    source: AlertSource,
    text: string,
    kept: readonly string[],
  ): Finding[] {
    const names = this.o.sources.knownNames(source, this.o.displayNames(source.draftRoomId));
    return findIdentifiers(text, names).filter((f) => !kept.includes(f.text.toLowerCase()));
  }

  /** Shows the findings still open; once there are none, asks for approval. */
  private async review(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    language: string,
  ): Promise<void> {
    const caseId = alert.caseId;
    const text = this.o.store.open(alert, "text");
    const open = this.openFindings(alert, source, text, this.o.store.kept(alert));
    const t = (key: string, params: Record<string, string | number> = {}) =>
      renderText(this.o.catalog, language, { key, params: { caseId, ...params } });
    if (open.length > 0) {
      await this.o.store.update(manager, alert, { state: "reviewing" });
      await this.o.say(manager, source.draftRoomId, {
        label: source.label,
        caseId,
        step: "review",
        text: lines([
          t("alert.findingsHeader", { label: this.labelName(parseTlp(alert.label) ?? "GREEN") }),
          ...open.map((finding, i) =>
            t("alert.finding", {
              number: i + 1,
              kind: t(`findingKind.${finding.kind}`).plain,
              text: finding.text,
            }),
          ),
          t("alert.findingsHelp"),
        ]),
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
    const label = (parseTlp(alert.label) ?? "GREEN") as "GREEN" | "WHITE";
    const where = DESTINATIONS[label]
      .map((key) => renderText(this.o.catalog, "en", { key: `alert.room.${key}` }).plain)
      .join(", ");
    for (const { roomId, userId } of source.asks) {
      const language = await languageOf(manager, userId);
      await this.o.say(manager, roomId, {
        label: source.label,
        caseId,
        step: "approval-request",
        text: lines([
          renderText(this.o.catalog, language, {
            key: "alert.approvalRequest",
            params: { caseId, rooms: where },
          }),
          alertText(this.o.catalog, language, caseId, text),
        ]),
      });
    }
    const advisory = this.o.room("advisory");
    if (source.advisoryMayApprove && advisory !== undefined) {
      const language = this.o.roomLanguage("advisory");
      await this.o.say(manager, advisory, {
        label,
        caseId,
        step: "approval-request",
        text: lines([
          renderText(this.o.catalog, language, {
            key: "alert.approvalAdvisory",
            params: { caseId, quorum: this.o.advisoryQuorum(), rooms: where },
          }),
          alertText(this.o.catalog, language, caseId, text),
        ]),
      });
    }
  }

  /**
   * `approve ALR-…`: by the partner in the ticket room, the affected party in its direct room,
   * or a member of the advisory committee (the quorum posts it) where the policy allows.
   */
  private async approve(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const { manager, inbound } = context;
    const caseId = alert.caseId;
    if (inbound.roomKind === "advisory") {
      if (!source.advisoryMayApprove || !context.directory.isAdvisoryCommittee(inbound.sender)) {
        this.tell(context, { key: "alert.notApprover", params: { caseId } });
        return;
      }
      const approvals = [...new Set([...this.o.store.approvals(alert), inbound.sender])];
      await this.o.store.update(manager, alert, { approvals: JSON.stringify(approvals) });
      await audit(manager, { actor: inbound.sender, action: "alert.advisory-approved", caseId });
      const quorum = this.o.advisoryQuorum();
      this.tell(context, {
        key: "alert.approvalRecorded",
        params: { caseId, count: approvals.length, quorum },
      });
      if (approvals.length >= quorum) await this.post(manager, alert, "advisory", inbound.sender);
      return;
    }
    if (!this.isPartnerHere(context, source)) {
      this.tell(context, { key: "alert.notApprover", params: { caseId } });
      return;
    }
    const via = inbound.roomKind === "direct" ? "affected" : "partner";
    await this.post(manager, alert, via, inbound.sender);
  }

  /** `refuse ALR-…`: the partner says no; nothing is posted. */
  private async refuse(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const caseId = alert.caseId;
    if (!this.isPartnerHere(context, source)) {
      this.tell(context, { key: "alert.notApprover", params: { caseId } });
      return;
    }
    await this.o.store.update(context.manager, alert, { state: "refused" });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "alert.refused",
      caseId,
    });
    await this.tellDraftRoom(context.manager, alert, source, "alert-refused", {
      key: "alert.refused",
    });
    if (context.inbound.roomId !== source.draftRoomId)
      this.tell(context, { key: "alert.refused", params: { caseId } }, caseId);
  }

  /** The partner's people, in the ticket room or (for a vulnerability) their direct room. */
  private isPartnerHere(context: ChatContext, source: AlertSource): boolean {
    const { roomId, sender } = context.inbound;
    return source.approvers.includes(sender) && source.asks.some((ask) => ask.roomId === roomId);
  }

  /** The alert named, waiting for approval (others get a polite no). */
  private async pending(
    context: ChatContext,
    rest: string,
  ): Promise<{ alert: Alert; source: AlertSource } | undefined> {
    const id = rest.split(/\s+/)[0] ?? "";
    const alert = await this.o.store.get(context.manager, parseCaseId(id)?.id ?? id);
    const source =
      alert?.sourceCase == null
        ? undefined
        : await this.o.sources.of(context.manager, alert.sourceCase);
    if (!alert || alert.kind !== "community" || !source) {
      this.tell(context, { key: "alert.notFound", params: { caseId: id.slice(0, 40) } });
      return undefined;
    }
    if (alert.state === "reviewing") {
      this.tell(context, { key: "alert.notReady", params: { caseId: alert.caseId } });
      return undefined;
    }
    if (alert.state !== "awaiting-approval") {
      this.tell(context, {
        key: "alert.finished",
        params: {
          caseId: alert.caseId,
          state: context.text({ key: `alertState.${alert.state}` }).plain,
        },
      });
      return undefined;
    }
    return { alert, source };
  }

  /** Posts an approved alert to its rooms, each in the room's language. */
  private async post(
    manager: EntityManager,
    alert: Alert,
    via: "partner" | "affected" | "advisory",
    actor: string,
  ): Promise<void> {
    const caseId = alert.caseId;
    const label = (parseTlp(alert.label) ?? "GREEN") as "GREEN" | "WHITE";
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
    const source =
      alert.sourceCase === null ? undefined : await this.o.sources.of(manager, alert.sourceCase);
    if (source)
      await this.tellDraftRoom(manager, alert, source, "alert-posted", {
        key: "alert.posted",
        params: {
          rooms: DESTINATIONS[label]
            .map((key) => renderText(this.o.catalog, "en", { key: `alert.room.${key}` }).plain)
            .join(", "),
        },
      });
  }

  private async tellDraftRoom(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    step: string,
    text: Text,
  ): Promise<void> {
    const here = source.asks.find((ask) => ask.roomId === source.draftRoomId);
    const language = here === undefined ? "en" : await languageOf(manager, here.userId);
    await this.o.say(manager, source.draftRoomId, {
      label: "WHITE",
      caseId: alert.caseId,
      step,
      text: renderText(this.o.catalog, language, {
        key: text.key,
        params: { caseId: alert.caseId, ...text.params },
      }),
    });
  }

  /** A short answer in the room the command came from. */
  private tell(context: ChatContext, text: Text, caseId?: string): void {
    const rendered: Rendered = context.text(text);
    context.reply({ label: "WHITE", ...(caseId === undefined ? {} : { caseId }), text: rendered });
  }

  private labelName(label: TlpLabel): string {
    return `TLP:${tlpName(label, this.o.tlpNames)}`;
  }
}
