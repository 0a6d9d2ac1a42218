import type { MatrixEvent } from "matrix-js-sdk";
import type { EntityManager } from "typeorm";
import type { Say } from "../../chat/bot-message.js";
import { DEFAULT_LANGUAGE } from "../../config/default-language.js";
import { type Catalog } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { renderText } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { GuardedRoom } from "../../guard/room-guard.js";
import type { RoomMaker } from "../../matrix/rooms.js";
import type { Exchange } from "../../policy/audience.js";
import type { TlpLabel } from "../../policy/tlp.js";
import type { Scheduler } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import { parseCaseId } from "../../store/case-numbers.js";
import type { Alert } from "../../store/entities/alert.js";
import type { ScheduledJob } from "../../store/entities/scheduled-job.js";
import type { AlertStore } from "./alert-store.js";
import type { ApprovalPath, Drafts } from "./drafts.js";
import { localpartOf, type KnownNames } from "./identifiers.js";
import { WARNING_ROOM_JOB } from "./jobs.js";
import { tell, warningText } from "./messages.js";
import type { AlertSources } from "./sources.js";

export interface WarningsOptions {
  readonly drafts: Drafts;
  readonly store: AlertStore;
  readonly sources: AlertSources;
  readonly catalog: Catalog;
  readonly directory: () => Directory;
  readonly reader: () => EntityManager;
  readonly rooms: RoomMaker;
  readonly botUserId: () => string;
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule">;
}

/**
 * Private warnings (the Information Handling Policy: "sensitive incident information may be
 * shared privately with specific partners if they are at risk from the incident").
 * `!dsx warn-partner INC-… <organisation> <text>` (the provider in the ticket room, or the DSX
 * team in triage; `VUL-…` there too) drafts one, reviewed and approved as every draft is. Once
 * approved the bot makes an encrypted, guarded room with the at-risk organisation's members
 * alone and delivers it there under the ticket's label (AMBER, or RED for a RED ticket). They
 * may answer there; the ticket room hears only that it was delivered.
 */
export class Warnings {
  constructor(private readonly o: WarningsOptions) {
    o.drafts.define("warning", {
      preview: (alert, text, language) => warningText(o.catalog, language, alert.caseId, text),
      destination: (alert, language) =>
        renderText(o.catalog, language, {
          key: "warning.destination",
          params: { organisation: this.organisationName(alert.recipientOrg) },
        }).plain,
      scanned: (alert, names) => this.withoutRecipients(alert, names),
      publish: (manager, alert, via, actor) => this.approved(manager, alert, via, actor),
      exchangeIn: (alert) => this.exchange(alert),
    });
  }

  /** `warn-partner <INC-…|VUL-…> <organisation> <text>`. */
  async warn(context: ChatContext, rest: string): Promise<void> {
    const { manager, inbound, directory } = context;
    const [id = "", organisation = ""] = rest.split(/\s+/);
    const caseId = parseCaseId(id);
    const text = rest.slice(id.length).trim().slice(organisation.length).trim();
    const triage = inbound.roomKind === "triage";
    const source =
      caseId?.kind === "INC" || (triage && caseId?.kind === "VUL")
        ? await this.o.sources.of(manager, caseId.id)
        : undefined;
    if (!source || text === "") {
      tell(context, { key: "warning.usage" });
      return;
    }
    const inThisTicket =
      !triage &&
      (await this.o.sources.ofTicketRoom(manager, inbound.roomId))?.caseId === source.caseId;
    // In triage the command table let only the DSX team through; in a ticket, its provider.
    const allowed =
      triage ||
      (inThisTicket &&
        source.providerOrg !== null &&
        directory.organisationOf(inbound.sender)?.id === source.providerOrg);
    if (!allowed) {
      tell(context, { key: "warning.notAllowed" });
      return;
    }
    const recipient = directory.organisation(organisation.toLowerCase());
    if (recipient?.role !== "partner" || recipient.id === source.partnerOrg) {
      tell(context, {
        key: "warning.unknownPartner",
        params: { organisation: organisation.slice(0, 64) },
      });
      return;
    }
    // AMBER by default; RED when the ticket is RED.
    const label: TlpLabel = source.label === "RED" ? "RED" : "AMBER";
    await this.o.drafts.create(context, source, {
      kind: "warning",
      label,
      text,
      recipientOrg: recipient.id,
    });
  }

  /** A warning may name its recipients to themselves: the scan looks for everyone else. */
  private withoutRecipients(alert: Alert, names: KnownNames): KnownNames {
    const recipient = this.o.directory().organisation(alert.recipientOrg ?? "");
    if (!recipient) return names;
    const theirs = new Set(recipient.members.map(localpartOf));
    return {
      ...names,
      organisations: names.organisations.filter((o) => o.id !== recipient.id),
      people: names.people.map((p) => ({
        ...p,
        names: p.names.filter((n) => !theirs.has(n)),
      })),
    };
  }

  /** Approved: the room is made by a durable job; the warning waits for its first reader. */
  private async approved(
    manager: EntityManager,
    alert: Alert,
    via: ApprovalPath,
    actor: string,
  ): Promise<void> {
    await this.o.store.update(manager, alert, { state: "delivering", approvedVia: via });
    await audit(manager, { actor, action: "warning.approved", caseId: alert.caseId, outcome: via });
    await this.o.jobs().schedule(manager, {
      kind: WARNING_ROOM_JOB,
      dueAt: Date.now(),
      caseId: alert.caseId,
    });
    const source = await this.o.drafts.sourceOf(manager, alert);
    if (source)
      await this.o.drafts.tellDraftRoom(manager, alert, source, "warning-approved", {
        key: "warning.approved",
        params: { organisation: this.organisationName(alert.recipientOrg) },
      });
  }

  /** The warning room job, outside its transaction: the room of a warning still to deliver. */
  async makeRoom(job: ScheduledJob): Promise<string | undefined> {
    const alert = await this.o.store.get(this.o.reader(), job.caseId ?? "");
    if (alert?.state !== "delivering") return undefined;
    return this.o.rooms.caseRoom("warning", alert.caseId, this.recipients(alert));
  }

  /**
   * The warning room job, in its transaction: the room is recorded, and the warning delivered
   * if a recipient is in already.
   */
  async roomMade(
    job: ScheduledJob,
    manager: EntityManager,
    roomId: string | undefined,
  ): Promise<void> {
    const alert = await this.o.store.get(manager, job.caseId ?? "");
    if (alert?.state !== "delivering" || roomId === undefined) return;
    await this.o.store.update(manager, alert, { deliveryRoomId: roomId });
    await audit(manager, { actor: null, action: "warning.room-opened", caseId: alert.caseId });
    // Someone may have joined before this was recorded.
    const room = this.o.rooms.room(roomId);
    if (this.recipients(alert).some((p) => room?.getMember(p)?.membership === "join"))
      await this.deliver(manager, alert);
  }

  /** A recipient joined the warning's room: it is delivered (once; history is joined-only). */
  async roomEvent(event: MatrixEvent, manager: EntityManager): Promise<void> {
    if (event.getType() !== "m.room.member" || event.getContent()["membership"] !== "join") return;
    const alert = await this.o.store.byDeliveryRoom(manager, event.getRoomId() ?? "");
    if (alert?.state !== "delivering") return;
    if (!this.recipients(alert).includes(event.getStateKey() ?? "")) return;
    await this.deliver(manager, alert);
  }

  private async deliver(manager: EntityManager, alert: Alert): Promise<void> {
    if (alert.deliveryRoomId === null) return;
    // The room holds the organisation's members, with no language of its own.
    await this.o.say(manager, alert.deliveryRoomId, {
      label: alert.label,
      caseId: alert.caseId,
      step: "warning",
      text: warningText(
        this.o.catalog,
        DEFAULT_LANGUAGE,
        alert.caseId,
        this.o.store.open(alert, "text"),
      ),
    });
    await this.o.store.update(manager, alert, { state: "posted", postedAt: Date.now() });
    await audit(manager, { actor: null, action: "warning.delivered", caseId: alert.caseId });
    const source = await this.o.drafts.sourceOf(manager, alert);
    if (source)
      await this.o.drafts.tellDraftRoom(manager, alert, source, "warning-delivered", {
        key: "warning.delivered",
        params: { organisation: this.organisationName(alert.recipientOrg) },
      });
  }

  /** The warning rooms, as the room guard holds them: the at-risk organisation's members. */
  async guardOf(roomId: string): Promise<GuardedRoom | undefined> {
    const alert = await this.o.store.byDeliveryRoom(this.o.reader(), roomId);
    if (!alert || !["delivering", "posted"].includes(alert.state)) return undefined;
    return {
      label: alert.label,
      caseId: alert.caseId,
      exchange: this.exchange(alert),
    };
  }

  /** The case closed: the bot says so in each warning's room (default language), and leaves. */
  async forgetCase(manager: EntityManager, caseId: string): Promise<void> {
    for (const alert of await this.o.store.deliveredOf(manager, caseId)) {
      if (alert.deliveryRoomId === null) continue;
      await this.o.say(manager, alert.deliveryRoomId, {
        label: "WHITE",
        step: "closed",
        leaveAfter: true,
        text: renderText(this.o.catalog, DEFAULT_LANGUAGE, {
          key: "warning.closed",
          params: { caseId: alert.caseId },
        }),
      });
    }
  }

  /** Only the at-risk organisation's members (and the bot): no organisation beyond them. */
  private exchange(alert: Alert): Exchange {
    return {
      participants: new Set([...this.recipients(alert), this.o.botUserId()]),
      organisations: new Set(),
    };
  }

  private recipients(alert: Alert): string[] {
    return [...(this.o.directory().organisation(alert.recipientOrg ?? "")?.members ?? [])];
  }

  private organisationName(id: string | null): string {
    if (id === null) return "";
    return this.o.directory().organisation(id)?.name ?? id;
  }
}
