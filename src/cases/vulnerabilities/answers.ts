import type { ChatContext } from "../../chat/context.js";
import { audit } from "../../store/audit-log.js";
import { parseCaseId } from "../../store/case-numbers.js";
import { replyNoCaseForYou } from "../no-case-for-you.js";
import { replan } from "./jobs.js";
import { time } from "./messages.js";
import { MAX_EXTENSION_DAYS } from "./rules.js";
import type { VulnerabilityServices } from "./services.js";

/** What the affected party answers a notice: `ack`, `fixed`, `need-time`. */
export class AffectedPartyAnswers {
  constructor(private readonly s: VulnerabilityServices) {}

  /** `ack`, `fixed`, `need-time <days> <reason>` from the affected party. */
  async answer(context: ChatContext, rest: string, kind: "ack" | "fixed" | "need-time") {
    const [id = "", days = "", ...reason] = rest.trim().split(/\s+/);
    const parsed = parseCaseId(id);
    if (parsed?.kind !== "VUL") {
      context.reply({ label: "WHITE", text: context.text({ key: "vuln.badCaseId" }) });
      return;
    }
    const { manager, inbound } = context;
    const v = await this.s.o.store.get(manager, parsed.id);
    // A contact the DSX team has not confirmed has not been told of the case: not party to it.
    const isContact =
      v !== null &&
      v.state !== "unconfirmed" &&
      (this.s.o.store.contacts(v).some((c) => c.userId === inbound.sender) ||
        (v.affectedOrg !== null &&
          context.directory.organisationOf(inbound.sender)?.id === v.affectedOrg));
    // Whether a case exists, or is finished, is the affected party's to know, no one else's.
    if (!isContact) {
      replyNoCaseForYou(context, parsed.id);
      return;
    }
    if (this.s.refusedAsFinished(context, v)) return;
    const caseId = v.caseId;
    const now = Date.now();
    await audit(manager, { actor: inbound.sender, action: `vulnerability.${kind}`, caseId });
    if (kind === "fixed") {
      await this.s.o.store.update(manager, v, { state: "fixed", answeredAt: v.answeredAt ?? now });
      context.reply({
        label: "WHITE",
        caseId,
        step: "answer",
        text: context.text({ key: "vuln.thanksFixed", params: { caseId } }),
      });
      await this.s.tellTriage(manager, "GREEN", "answer", {
        key: "vuln.fixedTriage",
        params: { caseId },
      });
      await this.s.tellReporter(manager, v, "vuln.reporterFixed");
      await this.s.disclose(manager, v);
      return;
    }
    if (kind === "need-time") {
      const n = Number(days);
      if (!Number.isInteger(n) || n < 1 || n > MAX_EXTENSION_DAYS || reason.length === 0) {
        context.reply({ label: "WHITE", text: context.text({ key: "vuln.needTimeUsage" }) });
        return;
      }
      await this.s.o.store.update(manager, v, {
        state: "needs-time",
        answeredAt: v.answeredAt ?? now,
        escalateAt: null,
        discloseAt: v.discloseAt + n * 86_400_000,
      });
      await replan(this.s, manager, v);
      context.reply({
        label: "WHITE",
        caseId,
        step: "answer",
        text: context.text({
          key: "vuln.thanksNeedTime",
          params: { caseId, due: time(v.discloseAt) },
        }),
      });
      // The reason stays with the DSX team: the reporter hears only of the new date.
      await this.s.tellTriage(manager, "AMBER", "answer", {
        key: "vuln.needTimeTriage",
        params: { caseId, days: n, reason: reason.join(" "), due: time(v.discloseAt) },
      });
      await this.s.tellReporter(manager, v, "vuln.reporterMoreTime", { due: time(v.discloseAt) });
      return;
    }
    await this.s.o.store.update(manager, v, {
      state: "acknowledged",
      answeredAt: v.answeredAt ?? now,
      escalateAt: null,
    });
    await replan(this.s, manager, v);
    context.reply({
      label: "WHITE",
      caseId,
      step: "answer",
      text: context.text({ key: "vuln.thanksAck", params: { caseId, due: time(v.discloseAt) } }),
    });
    await this.s.tellTriage(manager, "GREEN", "answer", {
      key: "vuln.ackTriage",
      params: { caseId },
    });
    await this.s.tellReporter(manager, v, "vuln.reporterAcknowledged");
  }
}
