import type { ChatContext } from "../../chat/context.js";
import { lines, type Rendered } from "../../chat/render.js";
import { parseDuration } from "../../config/duration.js";
import { audit } from "../../store/audit-log.js";
import type { Vulnerability } from "../../store/entities/vulnerability.js";
import { summaryOf, type VulnerabilityReport } from "./intake.js";
import { replan } from "./jobs.js";
import { caseLine, time } from "./messages.js";
import { isFinished, MAX_EXTENSION_DAYS, plan, scheduleState } from "./rules.js";
import type { VulnerabilityServices } from "./services.js";

/** The DSX team's commands in the triage room: list, show, escalate, extend, expedite. */
export class TriageCommands {
  constructor(private readonly s: VulnerabilityServices) {}

  async list(context: ChatContext): Promise<void> {
    const all = (await this.s.o.store.all(context.manager)).filter((v) => v.state !== "published");
    context.reply({
      label: "GREEN",
      step: "vulns",
      text:
        all.length === 0
          ? context.text({ key: "vuln.none" })
          : lines(all.map((v) => this.line(context, v))),
    });
  }

  async show(context: ChatContext, rest: string): Promise<void> {
    const v = await this.s.find(context, rest);
    if (!v) return;
    context.reply({
      label: "AMBER",
      caseId: v.caseId,
      step: "vuln",
      text: lines([
        this.line(context, v),
        summaryOf(context, {
          affected:
            v.affectedOrg === null
              ? { user: this.s.o.store.contacts(v)[0]?.userId ?? "" }
              : { org: v.affectedOrg },
          description: this.s.o.store.open(v, "description"),
          severity: v.severity as VulnerabilityReport["severity"],
          evidence: this.s.o.store.open(v, "evidence"),
          credit: this.s.o.store.open(v, "credit") || undefined,
          shareContact: v.shareContact,
        }),
      ]),
    });
  }

  /** One line of `!dsx vulns`, with the next deadline. */
  private line(context: ChatContext, v: Vulnerability): Rendered {
    const next = plan(scheduleState(v), this.s.o.policy(), Date.now()).find(
      (j) => j.kind === "deadline",
    );
    return caseLine(context, v, next);
  }

  async escalate(context: ChatContext, rest: string): Promise<void> {
    const v = await this.s.find(context, rest);
    if (!v || this.s.refusedAsUnconfirmed(context, v)) return;
    if (v.answeredAt !== null || isFinished(v)) {
      context.reply({
        label: "WHITE",
        caseId: v.caseId,
        text: context.text({ key: "vuln.noEscalation", params: { caseId: v.caseId } }),
      });
      return;
    }
    await this.s.o.store.update(context.manager, v, { state: "escalated", escalateAt: null });
    await replan(this.s, context.manager, v);
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "vulnerability.escalated",
      caseId: v.caseId,
    });
    context.reply({
      label: "GREEN",
      caseId: v.caseId,
      step: "escalation",
      text: context.text({ key: "vuln.escalated", params: { caseId: v.caseId } }),
    });
    await this.s.tellReporter(context.manager, v, "vuln.reporterEscalated");
  }

  async extend(context: ChatContext, rest: string): Promise<void> {
    const [id = "", length = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.s.find(context, id);
    if (!v || this.s.refusedAsUnconfirmed(context, v)) return;
    const duration = parseDuration(length);
    const tooLong = "ms" in duration && duration.ms > MAX_EXTENSION_DAYS * 86_400_000;
    if ("error" in duration || tooLong || reason.length === 0 || isFinished(v)) {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.extendUsage" }) });
      return;
    }
    await this.s.o.store.update(context.manager, v, {
      discloseAt: v.discloseAt + duration.ms,
      escalateAt: v.escalateAt === null ? null : v.escalateAt + duration.ms,
      respondBy: v.answeredAt === null ? v.respondBy + duration.ms : v.respondBy,
    });
    await replan(this.s, context.manager, v);
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: "vulnerability.extended",
      caseId: v.caseId,
      outcome: duration.iso,
    });
    context.reply({
      label: "GREEN",
      caseId: v.caseId,
      step: "extended",
      text: context.text({
        key: "vuln.extended",
        params: { caseId: v.caseId, due: time(v.discloseAt) },
      }),
    });
    await this.s.tellReporter(context.manager, v, "vuln.reporterMoreTime", {
      due: time(v.discloseAt),
    });
  }

  /** `!dsx expedite <reason>` (active exploitation) or `!dsx disclose`: step 3 now. */
  async expedite(context: ChatContext, rest: string, needsReason: boolean): Promise<void> {
    const [id = "", ...reason] = rest.trim().split(/\s+/);
    const v = await this.s.find(context, id);
    if (!v || this.s.refusedAsUnconfirmed(context, v)) return;
    if (this.s.refusedAsFinished(context, v)) return;
    if (needsReason && reason.length === 0) {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.expediteUsage" }) });
      return;
    }
    await audit(context.manager, {
      actor: context.inbound.sender,
      action: needsReason ? "vulnerability.expedited" : "vulnerability.disclose-now",
      caseId: v.caseId,
    });
    await this.s.disclose(context.manager, v);
  }
}
