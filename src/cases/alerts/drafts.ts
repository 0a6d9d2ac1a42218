import type { TlpLabel } from "../../policy/tlp.js";
import type { EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import { type Catalog, type Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { MAX_ANSWER_LENGTH } from "../../chat/fields.js";
import { renderText, type Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { ExchangeResolver } from "../../matrix/outbox.js";
import type { Exchange } from "../../policy/audience.js";
import type { TlpNames } from "../../policy/tlp.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId, parseCaseId } from "../../store/case-numbers.js";
import type { Alert, AlertKind } from "../../store/entities/alert.js";
import { languageOf } from "../../store/people.js";
import type { AlertRoom } from "./alerts.js";
import type { AlertStore } from "./alert-store.js";
import { withoutFinding, type KnownNames } from "./identifiers.js";
import { finished, tell, tooLong } from "./messages.js";
import { Review } from "./review.js";
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

/** The configured rooms sharing knows: triage, where the DSX team drafts, and the alert rooms. */
export type SharingRoom = "triage" | AlertRoom;

export interface DraftsOptions {
  readonly reader: () => EntityManager;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  /** Queues a message in the caller's transaction (the outbox checks it before sending). */
  readonly say: Say;
  readonly room: (key: SharingRoom) => string | undefined;
  readonly roomLanguage: (key: SharingRoom) => string;
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
  readonly label: TlpLabel;
  readonly text: string;
  readonly recipientOrg?: string;
}

/**
 * Sharing drawn from a case, before it leaves (the Information Handling Policy: "all sharing of
 * information will be conducted in coordination and with the approval of the partners
 * concerned"): a draft is made, reviewed (see {@link Review}), changed by its author
 * (`!dsx alert ALR-… keep|remove <n>`, `edit`, `withdraw`) and reviewed anew, until it is
 * approved or refused (see `Approvals`); its kind then sends it on.
 */
export class Drafts {
  private readonly kinds = new Map<AlertKind, DraftKind>();
  private readonly review: Review;

  constructor(private readonly o: DraftsOptions) {
    this.review = new Review(o, this);
  }

  /** What drafts of a kind do once approved: community alerts and warnings each define theirs. */
  define(kind: AlertKind, behaviour: DraftKind): void {
    this.kinds.set(kind, behaviour);
  }

  /** What a draft of this alert's kind does. */
  kindOf(alert: Alert): DraftKind {
    const kind = this.kinds.get(alert.kind);
    if (!kind) throw new Error(`no behaviour for drafts of kind ${alert.kind}`);
    return kind;
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
      tell(context, tooLong(draft.text.length));
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
    await this.review.review(context.manager, alert, source, context.language);
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
      tell(context, finished(context, alert));
      return;
    }
    const verb = rest.split(/\s+/)[0] ?? "";
    const action = verb.toLowerCase();
    if (action === "") {
      await this.review.review(manager, alert, source, context.language);
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
    const revised = this.revised(context, alert, source, action, rest.slice(verb.length).trim());
    if (!revised) return;
    // A changed draft is reviewed, and asked for approval, anew.
    await this.o.store.revise(manager, alert, revised.text, revised.kept);
    await audit(manager, { actor: inbound.sender, action: `alert.${action}`, caseId });
    await this.review.review(manager, alert, source, context.language);
  }

  /** The case a draft comes from, while it is open. */
  sourceOf(manager: EntityManager, alert: Alert): Promise<AlertSource | undefined> {
    return alert.sourceCase === null
      ? Promise.resolve(undefined)
      : this.o.sources.of(manager, alert.sourceCase);
  }

  /**
   * Tells the room a draft was made in how it went (plain, WHITE: no content), in that room's
   * language; a text naming other rooms is given that language to name them in.
   */
  async tellDraftRoom(
    manager: EntityManager,
    alert: Alert,
    source: AlertSource,
    step: string,
    text: Text | ((language: string) => Text),
  ): Promise<void> {
    const roomId = alert.draftRoomId;
    if (roomId === null) return;
    const language = await this.draftRoomLanguage(manager, roomId, source);
    const said = typeof text === "function" ? text(language) : text;
    await this.o.say(manager, roomId, {
      label: "WHITE",
      caseId: alert.caseId,
      step,
      text: renderText(this.o.catalog, language, {
        key: said.key,
        params: { caseId: alert.caseId, ...said.params },
      }),
    });
  }

  /**
   * The language of the room a draft was made in: the partner's there, asked for approval in
   * it; or, for the DSX team's drafts, triage's.
   */
  private async draftRoomLanguage(
    manager: EntityManager,
    roomId: string,
    source: AlertSource,
  ): Promise<string> {
    const here = source.asks.find((ask) => ask.roomId === roomId);
    if (here !== undefined) return languageOf(manager, here.userId);
    return roomId === this.o.room("triage") ? this.o.roomLanguage("triage") : DEFAULT_LANGUAGE;
  }

  /**
   * The draft as `edit <text>`, `keep <n>` or `remove <n>` leaves it: its text and the findings
   * kept; undefined (the author told why) when the change cannot be made.
   */
  private revised(
    context: ChatContext,
    alert: Alert,
    source: AlertSource,
    action: string,
    argument: string,
  ): { text: string; kept: string[] } | undefined {
    const caseId = alert.caseId;
    const text = this.o.store.open(alert, "text");
    const kept = this.o.store.kept(alert);
    if (action === "edit") {
      const problem =
        argument === ""
          ? { key: "alert.editUsage", params: { caseId } }
          : argument.length > MAX_ANSWER_LENGTH
            ? tooLong(argument.length)
            : undefined;
      if (problem) {
        tell(context, problem);
        return undefined;
      }
      return { text: argument, kept };
    }
    if (action !== "keep" && action !== "remove") {
      tell(context, { key: "alert.changeUsage", params: { caseId } });
      return undefined;
    }
    const open = this.review.openFindings(alert, source, text, kept);
    const word = argument.split(/\s+/)[0] ?? "";
    const number = Number(word);
    const finding = Number.isInteger(number) ? open[number - 1] : undefined;
    if (finding === undefined) {
      tell(context, {
        key: "alert.noSuchFinding",
        params: { number: word.slice(0, 10), count: open.length },
      });
      return undefined;
    }
    return action === "keep"
      ? { text, kept: [...kept, finding.text.toLowerCase()] }
      : { text: withoutFinding(text, finding.text), kept };
  }
}
