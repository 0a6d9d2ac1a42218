import type { ChatContext } from "../../chat/context.js";
import { audit } from "../../store/audit-log.js";
import type { VulnerabilityServices } from "./services.js";

/** The advisory committee's votes on making a disclosed vulnerability public. */
export class AdvisoryVotes {
  constructor(private readonly s: VulnerabilityServices) {}

  /** `!dsx approve` / `!dsx object <reason>` in the advisory room: the quorum makes it public. */
  async vote(context: ChatContext, rest: string, vote: "approve" | "object"): Promise<void> {
    const [id = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.s.find(context, id);
    if (!v) return;
    const caseId = v.caseId;
    const { manager, inbound } = context;
    if (v.state !== "disclosed") {
      context.reply({
        label: "WHITE",
        caseId,
        text: context.text({
          key: v.state === "published" ? "vuln.alreadyPublic" : "vuln.notYetAsked",
          params: { caseId },
        }),
      });
      return;
    }
    if (vote === "object") {
      if (reason.length === 0) {
        context.reply({ label: "WHITE", text: context.text({ key: "vuln.objectUsage" }) });
        return;
      }
      await this.s.o.store.recordObjections(manager, v, [
        ...this.s.o.store.objections(v),
        { userId: inbound.sender, reason: reason.join(" ") },
      ]);
      await audit(manager, { actor: inbound.sender, action: "vulnerability.objected", caseId });
      context.reply({
        label: "GREEN",
        caseId,
        step: "vote",
        text: context.text({ key: "vuln.objectionRecorded", params: { caseId } }),
      });
      return;
    }
    const approvals = [...new Set([...this.s.o.store.approvals(v), inbound.sender])];
    await this.s.o.store.recordApprovals(manager, v, approvals);
    await audit(manager, { actor: inbound.sender, action: "vulnerability.approved", caseId });
    const quorum = this.s.o.policy().advisoryQuorum;
    context.reply({
      label: "GREEN",
      caseId,
      step: "vote",
      text: context.text({
        key: "vuln.approvalRecorded",
        params: { caseId, count: approvals.length, quorum },
      }),
    });
    if (approvals.length < quorum) return;
    await this.s.o.store.update(manager, v, { state: "published" });
    const publicRoom = this.s.o.room("publicAlerts");
    if (publicRoom !== undefined)
      await this.s.o.say(manager, publicRoom, {
        label: "WHITE",
        caseId,
        step: "disclosure",
        text: this.s.disclosureText(v),
      });
    await this.s.tellTriage(manager, "GREEN", "disclosure", {
      key: "vuln.publishedTriage",
      params: { caseId },
    });
    await this.s.tellReporter(manager, v, "vuln.reporterPublished");
  }
}
