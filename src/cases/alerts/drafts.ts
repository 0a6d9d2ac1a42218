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
import type { Exchange } from "../../policy/audience.js";
import { parseTlp, tlpTag, type TlpNames } from "../../policy/tlp.js";
import { replyNoCaseForYou } from "../no-case-for-you.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId, parseCaseId } from "../../store/case-numbers.js";
import type { Alert, AlertKind } from "../../store/entities/alert.js";
import { languageOf } from "../../store/people.js";
import type { AlertStore } from "./alert-store.js";
import { findingLines } from "./finding-lines.js";
import { findIdentifiers, withoutFinding, type Finding, type KnownNames } from "./identifiers.js";
import type { AlertSource, AlertSources } from "./sources.js";

/** Who said yes: the partner, the affected party of a vulnerability, or the advisory quorum. */
export type ApprovalPath = "partner" | "affected" | "advisory";

/** What differs between a community alert and a private warning once it is approved. */
export interface DraftKind {
  /** What the approvers are shown: the message as its recipients will get it. */
  preview(alert: Alert, text: string, language: string): Rendered;
  /** Where it goes, in words ("the community alert room"). */
  destination(alert: Alert, language: string): string;
  /** The names the scan leaves out (a warning may name its recipients to themselves). */
  scanned(alert: Alert, names: KnownNames): KnownNames;
  /** Sends the approved draft on its way, in the approval's transaction. */
  publish(manager: EntityManager, alert: Alert, via: ApprovalPath, actor: string): Promise<void>;
  /** The audience of the draft's own delivery room, if it has one. */
  exchangeIn?(alert: Alert, roomId: string): Exchange | undefined;
}

export interface DraftsOptions {
  readonly reader: () => EntityManager;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: (manager: EntityManager, roomId: string, message: BotMessage) => Promise<void>;
  readonly advisoryRoomId: () => string | undefined;
  readonly advisoryLanguage: () => string;
  /** The display names of a room's members: names a draft may give away. */
  readonly displayNames: (roomId: string) => string[];
  readonly advisoryQuorum: () => number;
  /** The exchanges of the cases drafts come from. */
  readonly exchanges: ExchangeResolver;
}

/** A new draft, as its kind's command read it. */
export interface NewDraft {
  readonly kind: AlertKind;
  readonly label: string;
  readonly text: string;
  readonly recipientOrg?: string;
}

/** An advisory member's approval, with why DSX acts without the partner. */
interface Decision {
  readonly userId: string;
  readonly reason: string;
}

/**
 * Sharing drawn from a case, before it leaves (the Information Handling Policy: "all sharing of
 * information will be conducted in coordination and with the approval of the partners
 * concerned"). A draft is scanned for what could identify the partner or the people involved;
 * its author keeps or removes each finding (`!dsx alert ALR-… keep|remove <n>`, `edit`,
 * `withdraw`); then the partner (or the affected party of a vulnerability) approves or refuses
 * it, and where the policy reserves it ("where a vulnerability may seriously affect the
 * security of DSX partners, and the relevant partner is non responsive") the advisory quorum
 * may approve it instead, each member saying why. Its kind then sends it on.
 */
export class Drafts {
  private readonly kinds = new Map<AlertKind, DraftKind>();

  constructor(private readonly o: DraftsOptions) {}

  define(kind: AlertKind, behaviour: DraftKind): void {
    this.kinds.set(kind, behaviour);
  }

  chatModule(): ChatModule {
    return {
      commands: [
        {
          words: ["approve"],
          rooms: ["ticket", "direct"],
          argument: /^(?:ALR-|$)/i,
          summary: "alert.commandApprove",
          parties: { ticket: ["partner"], direct: ["partner"] },
          run: (context, rest) => this.approve(context, rest),
        },
        {
          words: ["approve"],
          rooms: ["advisory"],
          argument: /^ALR-/i,
          summary: "alert.commandApproveAdvisory",
          run: (context, rest) => this.approve(context, rest),
        },
        {
          words: ["refuse"],
          rooms: ["ticket", "direct"],
          argument: /^(?:ALR-|$)/i,
          summary: "alert.commandRefuse",
          parties: { ticket: ["partner"], direct: ["partner"] },
          run: (context, rest) => this.refuse(context, rest),
        },
      ] satisfies Command[],
    };
  }

  /**
   * A draft's messages are checked against the exchange of the case it comes from, except in
   * a room of its own (a warning's), which holds only its recipients.
   */
  exchanges(): ExchangeResolver {
    return {
      exchangeOf: async (caseId, roomId) => {
        const alert = await this.o.store.get(this.o.reader(), caseId);
        if (!alert) return undefined;
        if (roomId !== undefined && roomId === alert.deliveryRoomId)
          return this.kinds.get(alert.kind)?.exchangeIn?.(alert, roomId);
        return alert.sourceCase === null
          ? undefined
          : this.o.exchanges.exchangeOf(alert.sourceCase, roomId);
      },
    };
  }

  /** A new draft from a case: numbered, audited, reviewed. */
  async create(context: ChatContext, source: AlertSource, draft: NewDraft): Promise<void> {
    if (draft.text.length > MAX_ANSWER_LENGTH) {
      tell(context, {
        key: "alert.tooLong",
        params: { length: draft.text.length, limit: MAX_ANSWER_LENGTH },
      });
      return;
    }
    const caseId = await nextCaseId(context.manager, "ALR", new Date());
    const alert = await this.o.store.create(context.manager, {
      caseId,
      kind: draft.kind,
      label: draft.label,
      sourceCase: source.caseId,
      draftRoomId: context.inbound.roomId,
      author: context.inbound.sender,
      text: draft.text,
      ...(draft.recipientOrg === undefined ? {} : { recipientOrg: draft.recipientOrg }),
    });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: `${draft.kind === "warning" ? "warning" : "alert"}.drafted`,
      caseId,
      outcome: draft.label,
    });
    await this.review(context.manager, alert, source, context.language);
  }

  /** `!dsx alert ALR-… keep|remove <n>`, `edit <text>`, `withdraw`, or nothing (show it). */
  async change(context: ChatContext, id: string, rest: string): Promise<void> {
    const { manager, inbound } = context;
    const alert = await this.o.store.get(manager, parseCaseId(id)?.id ?? id);
    if (!alert || alert.draftRoomId !== inbound.roomId) {
      tell(context, { key: "alert.notFound", params: { caseId: id.slice(0, 40) } });
      return;
    }
    const source = await this.sourceOf(manager, alert);
    const caseId = alert.caseId;
    if (!source || !["reviewing", "awaiting-approval"].includes(alert.state)) {
      tell(context, {
        key: "alert.finished",
        params: { caseId, state: context.text({ key: `alertState.${alert.state}` }).plain },
      });
      return;
    }
    const [verb = "", ...words] = rest.split(/\s+/);
    const action = verb.toLowerCase();
    if (action === "") {
      await this.review(manager, alert, source, context.language);
      return;
    }
    if (inbound.sender !== alert.author) {
      tell(context, { key: "alert.onlyAuthor", params: { caseId } });
      return;
    }
    if (action === "withdraw") {
      await this.o.store.update(manager, alert, { state: "withdrawn" });
      await audit(manager, { actor: inbound.sender, action: "alert.withdrawn", caseId });
      tell(context, { key: "alert.withdrawn", params: { caseId } }, caseId);
      return;
    }
    let text = this.o.store.open(alert, "text");
    let kept = this.o.store.kept(alert);
    if (action === "edit") {
      text = rest.slice(verb.length).trim();
      const problem =
        text === ""
          ? { key: "alert.editUsage", params: { caseId } }
          : text.length > MAX_ANSWER_LENGTH
            ? { key: "alert.tooLong", params: { length: text.length, limit: MAX_ANSWER_LENGTH } }
            : undefined;
      if (problem) {
        tell(context, problem);
        return;
      }
    } else if (action === "keep" || action === "remove") {
      const open = this.openFindings(alert, source, text, kept);
      const number = Number(words[0]);
      const finding = Number.isInteger(number) ? open[number - 1] : undefined;
      if (finding === undefined) {
        tell(context, {
          key: "alert.noSuchFinding",
          params: { number: (words[0] ?? "").slice(0, 10), count: open.length },
        });
        return;
      }
      if (action === "keep") kept = [...kept, finding.text.toLowerCase()];
      else text = withoutFinding(text, finding.text);
    } else {
      tell(context, { key: "alert.changeUsage", params: { caseId } });
      return;
    }
    // A changed draft is reviewed, and asked for approval, anew.
    await this.o.store.update(manager, alert, {
      text: this.o.store.seal(caseId, "text", text),
      kept: this.o.store.seal(caseId, "kept", JSON.stringify(kept)),
      approvals: "[]",
      reason: null,
    });
    await audit(manager, { actor: inbound.sender, action: `alert.${action}`, caseId });
    await this.review(manager, alert, source, context.language);
  }

  /** The case a draft comes from, while it is open. */
  sourceOf(manager: EntityManager, alert: Alert): Promise<AlertSource | undefined> {
    return alert.sourceCase === null
      ? Promise.resolve(undefined)
      : this.o.sources.of(manager, alert.sourceCase);
  }

  /** Tells the room a draft was made in how it went (plain, WHITE: no content). */
  async tellDraftRoom(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    step: string,
    text: Text,
  ): Promise<void> {
    const roomId = alert.draftRoomId;
    if (roomId === null) return;
    const here = source.asks.find((ask) => ask.roomId === roomId);
    const language = here === undefined ? "en" : await languageOf(manager, here.userId);
    await this.o.say(manager, roomId, {
      label: "WHITE",
      caseId: alert.caseId,
      step,
      text: renderText(this.o.catalog, language, {
        key: text.key,
        params: { caseId: alert.caseId, ...text.params },
      }),
    });
  }

  /** What in the draft could identify someone and the author has not kept. */
  private openFindings(
    alert: Alert,
    source: AlertSource,
    text: string,
    kept: readonly string[],
  ): Finding[] {
    const names = this.o.sources.knownNames(source, this.o.displayNames(alert.draftRoomId ?? ""));
    const scanned = this.kinds.get(alert.kind)?.scanned(alert, names) ?? names;
    return findIdentifiers(text, scanned).filter((f) => !kept.includes(f.text.toLowerCase()));
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
    if (open.length > 0 && alert.draftRoomId !== null) {
      await this.o.store.update(manager, alert, { state: "reviewing" });
      await this.o.say(manager, alert.draftRoomId, {
        label: source.label,
        caseId,
        step: "review",
        text: lines([
          t("alert.findingsHeader", {
            label: tlpTag(parseTlp(alert.label) ?? "GREEN", this.o.tlpNames),
          }),
          ...findingLines(open, (text) => t(text.key, text.params)),
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
    const kind = this.kindOf(alert);
    for (const { roomId, userId } of source.asks) {
      const language = await languageOf(manager, userId);
      await this.o.say(manager, roomId, {
        label: source.label,
        caseId,
        step: "approval-request",
        text: lines([
          renderText(this.o.catalog, language, {
            key: "alert.approvalRequest",
            params: { caseId, destination: kind.destination(alert, language) },
          }),
          kind.preview(alert, text, language),
        ]),
      });
    }
    const advisory = this.o.advisoryRoomId();
    const committee = source.advisoryMayApprove && advisory !== undefined;
    // An author outside the rooms asked (the DSX team in triage) hears who was asked.
    if (!source.asks.some((ask) => ask.roomId === alert.draftRoomId))
      await this.tellDraftRoom(manager, alert, source, "approval-asked", {
        key: committee ? "alert.askedWithCommittee" : "alert.asked",
        params: { count: source.asks.length },
      });
    if (committee) {
      const language = this.o.advisoryLanguage();
      // The committee is outside a warning's audience: it sees the request, not the warning.
      const warning = alert.kind === "warning";
      await this.o.say(manager, advisory, {
        label: warning ? "GREEN" : (parseTlp(alert.label) ?? "GREEN"),
        caseId,
        step: "approval-request",
        text: lines([
          renderText(this.o.catalog, language, {
            key: "alert.approvalAdvisory",
            params: {
              caseId,
              quorum: this.o.advisoryQuorum(),
              destination: kind.destination(alert, language),
            },
          }),
          ...(warning ? [] : [kind.preview(alert, text, language)]),
        ]),
      });
    }
  }

  /**
   * `approve [ALR-…]`: by the partner in the ticket room, the affected party in its direct room,
   * or a member of the advisory committee with a reason (the quorum sends it) where the policy
   * allows.
   */
  private async approve(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const { manager, inbound } = context;
    const caseId = alert.caseId;
    if (inbound.roomKind === "advisory") {
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
        ...this.decisions(alert).filter((d) => d.userId !== inbound.sender),
        { userId: inbound.sender, reason: reason.slice(0, MAX_ANSWER_LENGTH) },
      ];
      await this.o.store.update(manager, alert, {
        approvals: JSON.stringify(decisions.map((d) => d.userId)),
        reason: this.o.store.seal(caseId, "reason", JSON.stringify(decisions)),
      });
      await audit(manager, { actor: inbound.sender, action: "alert.advisory-approved", caseId });
      const quorum = this.o.advisoryQuorum();
      tell(context, {
        key: "alert.approvalRecorded",
        params: { caseId, count: decisions.length, quorum },
      });
      if (decisions.length >= quorum)
        await this.kindOf(alert).publish(manager, alert, "advisory", inbound.sender);
      return;
    }
    if (!this.isPartnerHere(context, source)) {
      tell(context, { key: "alert.notApprover", params: { caseId } });
      return;
    }
    const via = inbound.roomKind === "direct" ? "affected" : "partner";
    await this.kindOf(alert).publish(manager, alert, via, inbound.sender);
  }

  /** `refuse [ALR-…]`: the partner says no; nothing is sent. */
  private async refuse(context: ChatContext, rest: string): Promise<void> {
    const found = await this.pending(context, rest);
    if (!found) return;
    const { alert, source } = found;
    const caseId = alert.caseId;
    if (!this.isPartnerHere(context, source)) {
      tell(context, { key: "alert.notApprover", params: { caseId } });
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
    if (context.inbound.roomId !== alert.draftRoomId)
      tell(context, { key: "alert.refused", params: { caseId } }, caseId);
  }

  /** The advisory members who approved, and why (sealed). */
  decisions(alert: Alert): Decision[] {
    const text = this.o.store.open(alert, "reason");
    return text === "" ? [] : (JSON.parse(text) as Decision[]);
  }

  /**
   * Whether an alert exists, and how far it got, is told only where it was drafted or approval
   * asked, and to the advisory committee; elsewhere it answers as an unknown number would.
   */
  private seesDraft(context: ChatContext, alert: Alert, source: AlertSource): boolean {
    const { roomId, roomKind, sender } = context.inbound;
    if (roomKind === "advisory") return context.directory.isAdvisoryCommittee(sender);
    return roomId === alert.draftRoomId || source.asks.some((ask) => ask.roomId === roomId);
  }

  /** The partner's people, in the ticket room or (for a vulnerability) their direct room. */
  private isPartnerHere(context: ChatContext, source: AlertSource): boolean {
    const { roomId, sender } = context.inbound;
    return source.approvers.includes(sender) && source.asks.some((ask) => ask.roomId === roomId);
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
        const asks = (await this.sourceOf(manager, candidate))?.asks ?? [];
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
    const source = alert ? await this.sourceOf(manager, alert) : undefined;
    if (!alert || !source || !this.seesDraft(context, alert, source)) {
      replyNoCaseForYou(context, parseCaseId(id)?.id ?? id);
      return undefined;
    }
    if (alert.state === "reviewing") {
      tell(context, { key: "alert.notReady", params: { caseId: alert.caseId } });
      return undefined;
    }
    if (alert.state !== "awaiting-approval") {
      tell(context, {
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

  private kindOf(alert: Alert): DraftKind {
    const kind = this.kinds.get(alert.kind);
    if (!kind) throw new Error(`no behaviour for drafts of kind ${alert.kind}`);
    return kind;
  }
}

/** A short answer in the room the command came from. */
export function tell(context: ChatContext, text: Text, caseId?: string): void {
  context.reply({
    label: "WHITE",
    ...(caseId === undefined ? {} : { caseId }),
    text: context.text(text),
  });
}
