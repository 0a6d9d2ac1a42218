import type { ChatContext } from "../../chat/context.js";
import { audit } from "../../store/audit-log.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { replan, scheduleNotice } from "./jobs.js";
import { time } from "./messages.js";
import { deadlinesFrom } from "./rules.js";
import type { VulnerabilityServices } from "./services.js";

/**
 * What the DSX team checks before the bot speaks for a reporter: `!dsx confirm VUL-…` lets the
 * notice go to a contact outside the directory, `!dsx approve VUL-…` releases the disclosure
 * text to the community, advisory and public rooms. Both in triage, by the DSX team only.
 */
export class DsxChecks {
  constructor(private readonly s: VulnerabilityServices) {}

  /** `!dsx approve VUL-…`: the text may go out at step 3, at once if step 3 has come. */
  async approve(context: ChatContext, rest: string): Promise<void> {
    const v = await this.teamCase(context, rest);
    if (!v) return;
    const caseId = v.caseId;
    if (v.reviewedAt !== null) {
      this.tell(context, v, "vuln.alreadyReviewed");
      return;
    }
    await this.s.o.store.update(context.manager, v, { reviewedAt: Date.now() });
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "vulnerability.text-approved",
      caseId,
    });
    if (v.state === "awaiting-review") await this.s.disclose(context.manager, v);
    else this.tell(context, v, "vuln.reviewed");
  }

  /** `!dsx confirm VUL-…`: the contact is who the reporter says; the notice and schedule start. */
  async confirm(context: ChatContext, rest: string): Promise<void> {
    const v = await this.teamCase(context, rest);
    if (!v) return;
    if (v.state !== "unconfirmed") {
      this.tell(context, v, "vuln.notUnconfirmed");
      return;
    }
    const { manager } = context;
    // The schedule runs from the notice, which goes now.
    const now = Date.now();
    await this.s.o.store.update(manager, v, {
      state: "notified",
      notifiedAt: now,
      ...deadlinesFrom(now, this.s.o.policy()),
    });
    await scheduleNotice(this.s, manager, v.caseId, now);
    await replan(this.s, manager, v);
    await audit(manager, {
      actor: context.inbound.sender,
      action: "vulnerability.contact-confirmed",
      caseId: v.caseId,
    });
    this.tell(context, v, "vuln.contactConfirmed");
  }

  /** The case named, not yet disclosed (the command table lets only the DSX team here). */
  private async teamCase(context: ChatContext, rest: string): Promise<Vulnerability | undefined> {
    const v = await this.s.find(context, rest);
    if (!v) return undefined;
    if (v.state === "disclosed" || v.state === "published") {
      this.tell(context, v, "vuln.alreadyDisclosed");
      return undefined;
    }
    return v;
  }

  private tell(context: ChatContext, v: Vulnerability, key: string): void {
    context.reply({
      label: "GREEN",
      caseId: v.caseId,
      step: "checked",
      text: context.text({ key, params: { caseId: v.caseId, due: time(v.discloseAt) } }),
    });
  }
}
