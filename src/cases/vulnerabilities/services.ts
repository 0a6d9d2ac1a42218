import type { DataSource, EntityManager } from "typeorm";
import type { MatrixClient } from "matrix-js-sdk";
import type { BotMessage, Say } from "../../chat/bot-message.js";
import type { Catalog, Text } from "../../chat/catalog.js";
import type { ChatContext } from "../../chat/context.js";
import { lines, renderText, type Rendered } from "../../chat/render.js";
import type { Directory } from "../../config/directory.js";
import type { RoomMaker } from "../../matrix/rooms.js";
import type { Logger } from "../../log/log.js";
import type { TlpNames } from "../../policy/tlp.js";
import type { Scheduler } from "../../schedule/scheduler.js";
import { audit } from "../../store/audit-log.js";
import { parseCaseId } from "../../store/case-numbers.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { findIdentifiers } from "../alerts/identifiers.js";
import { knownNamesOf } from "../alerts/sources.js";
import { disclosureText, reviewRequest } from "./messages.js";
import { isFinished, type DisclosurePolicy } from "./rules.js";
import type { VulnerabilityStore } from "./vulnerability-store.js";

/** The configured rooms the disclosure workflow speaks in. */
export type VulnerabilityRoom = "triage" | "advisory" | "communityAlerts" | "publicAlerts";

/** The bot's parts the disclosure workflow acts through. */
export interface VulnerabilitiesOptions {
  readonly client: MatrixClient;
  readonly dataSource: DataSource;
  readonly store: VulnerabilityStore;
  readonly catalog: Catalog;
  readonly tlpNames: TlpNames;
  readonly directory: () => Directory;
  readonly rooms: RoomMaker;
  readonly say: Say;
  readonly jobs: () => Pick<Scheduler, "schedule" | "cancel">;
  readonly policy: () => DisclosurePolicy & { readonly advisoryQuorum: number };
  readonly room: (key: VulnerabilityRoom) => string | undefined;
  /** The language a configured room is spoken to in. */
  readonly roomLanguage: (key: VulnerabilityRoom) => string;
  readonly log: Logger;
}

/**
 * What the parts of the disclosure workflow share: finding a case from a command, telling the
 * DSX team and the reporter, and step 3 (disclosure), which a deadline, a `fixed` answer and the
 * DSX team's `!dsx expedite` all reach.
 */
export class VulnerabilityServices {
  constructor(readonly o: VulnerabilitiesOptions) {}

  /**
   * Step 3: disclosure to stakeholders, and the advisory committee asked about going public. The
   * text is the reporter's: until the DSX team has approved it (`!dsx approve` in triage) the
   * case waits at step 3 (`awaiting-review`, a state that survives restarts).
   */
  async disclose(manager: EntityManager, v: Vulnerability, late = ""): Promise<void> {
    await this.o.jobs().cancel(manager, v.caseId);
    if (v.reviewedAt === null) {
      if (v.state === "awaiting-review") return;
      await this.o.store.update(manager, v, { state: "awaiting-review", escalateAt: null });
      await audit(manager, {
        actor: null,
        action: "vulnerability.review-awaited",
        caseId: v.caseId,
      });
      await this.askReview(manager, v, {
        key: "vuln.reviewDue",
        params: { caseId: v.caseId, late },
      });
      return;
    }
    await this.o.store.update(manager, v, { state: "disclosed", escalateAt: null });
    await audit(manager, { actor: null, action: "vulnerability.disclosed", caseId: v.caseId });
    const text = this.disclosureText(v);
    const community = this.o.room("communityAlerts");
    if (community !== undefined)
      await this.o.say(manager, community, {
        label: "GREEN",
        caseId: v.caseId,
        step: "disclosure",
        text,
      });
    const advisory = this.o.room("advisory");
    if (advisory !== undefined)
      await this.o.say(manager, advisory, {
        label: "GREEN",
        caseId: v.caseId,
        step: "approval-request",
        text: lines([
          text,
          this.inRoom("advisory", {
            key: "vuln.approvalRequest",
            params: { caseId: v.caseId, quorum: this.o.policy().advisoryQuorum },
          }),
        ]),
      });
    await this.tellTriage(manager, "GREEN", "disclosure", {
      key: "vuln.disclosedTriage",
      params: { caseId: v.caseId, late },
    });
    await this.tellReporter(manager, v, "vuln.reporterDisclosed");
  }

  /** Shows the DSX team in triage the disclosure text, and asks them to review it. */
  async askReview(manager: EntityManager, v: Vulnerability, header: Text): Promise<void> {
    const triage = this.o.room("triage");
    if (triage === undefined) return;
    const findings = findIdentifiers(
      this.o.store.open(v, "description"),
      knownNamesOf(this.o.directory(), [], []),
    );
    await this.o.say(manager, triage, {
      label: "GREEN",
      caseId: v.caseId,
      step: "review",
      text: reviewRequest(
        (text) => this.inRoom("triage", text),
        v.caseId,
        header,
        this.disclosureText(v),
        findings,
      ),
    });
  }

  /** The case's disclosure text, its sealed words opened. */
  disclosureText(v: Vulnerability): Rendered {
    return disclosureText(this.o.catalog, {
      caseId: v.caseId,
      affected:
        v.affectedOrg === null
          ? "—"
          : (this.o.directory().organisation(v.affectedOrg)?.name ?? v.affectedOrg),
      severity: v.severity,
      description: this.o.store.open(v, "description"),
      credit: this.o.store.open(v, "credit"),
    });
  }

  async find(context: ChatContext, text: string): Promise<Vulnerability | undefined> {
    const parsed = parseCaseId(text.trim().split(/\s+/)[0] ?? "");
    if (parsed?.kind !== "VUL") {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.badCaseId" }) });
      return undefined;
    }
    const v = await this.o.store.get(context.manager, parsed.id);
    if (!v)
      context.reply({
        label: "WHITE",
        text: context.text({ key: "vuln.unknown", params: { caseId: parsed.id } }),
      });
    return v ?? undefined;
  }

  /**
   * A case whose contact outside the directory the DSX team has not confirmed has no schedule
   * yet: says so, and is true, when `v` is one.
   */
  refusedAsUnconfirmed(context: ChatContext, v: Vulnerability): boolean {
    if (v.state !== "unconfirmed") return false;
    context.reply({
      label: "WHITE",
      caseId: v.caseId,
      text: context.text({ key: "vuln.confirmFirst", params: { caseId: v.caseId } }),
    });
    return true;
  }

  /** A fixed or disclosed case takes no more answers: says so, and is true, when `v` is one. */
  refusedAsFinished(context: ChatContext, v: Vulnerability): boolean {
    if (!isFinished(v)) return false;
    context.reply({
      label: "WHITE",
      caseId: v.caseId,
      text: context.text({ key: "vuln.finished", params: { caseId: v.caseId } }),
    });
    return true;
  }

  async tellTriage(manager: EntityManager, label: BotMessage["label"], step: string, text: Text) {
    const triage = this.o.room("triage");
    const caseId = text.params?.["caseId"];
    if (triage !== undefined)
      await this.o.say(manager, triage, {
        label,
        step,
        text: this.inRoom("triage", text),
        ...(typeof caseId === "string" ? { caseId } : {}),
      });
  }

  /** The reporter hears of every significant change, in their language, nothing confidential. */
  async tellReporter(
    manager: EntityManager,
    v: Vulnerability,
    key: string,
    params: Record<string, string> = {},
  ) {
    await this.o.say(manager, this.o.store.open(v, "reporterRoom"), {
      label: "WHITE",
      caseId: v.caseId,
      step: "status",
      text: renderText(this.o.catalog, v.language, {
        key,
        params: { caseId: v.caseId, ...params },
      }),
    });
  }

  /** `text` in the language of a configured room. */
  inRoom(key: VulnerabilityRoom, text: Text): Rendered {
    return renderText(this.o.catalog, this.o.roomLanguage(key), text);
  }
}
