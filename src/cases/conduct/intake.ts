import { isUserId } from "../../policy/user-id.js";
import type { ChatContext } from "../../chat/context.js";
import type { Answers, Dialogue } from "../../chat/dialogue.js";
import { freeTextField, isSkip, yesNoField } from "../../chat/fields.js";

/** The answers of a confirmed Code of Conduct report. */
export interface ConductReportAnswers {
  readonly what: string;
  /** The Matrix ID of the person the report is about, if the reporter named one. */
  readonly who: string | undefined;
  readonly whereWhen: string;
  readonly evidence: string;
  readonly anonymous: boolean;
}

/**
 * `report harassment`: what happened, who (optional), where and when, evidence (optional),
 * anonymity towards the abuse team, confirmation. Nothing asks the reporter to act.
 */
export function conductIntake(
  complete: (context: ChatContext, report: ConductReportAnswers) => Promise<void>,
): Dialogue {
  return {
    kind: "conduct",
    fields: [
      freeTextField("what", "conduct.what"),
      {
        name: "who",
        question: (context) => context.text({ key: "conduct.who" }),
        parse: (context, answer) => {
          const trimmed = answer.trim();
          if (isSkip(trimmed)) return { value: "" };
          return isUserId(trimmed)
            ? { value: trimmed }
            : { problem: context.text({ key: "conduct.whoInvalid" }) };
        },
      },
      freeTextField("where-when", "conduct.whereWhen"),
      freeTextField("evidence", "conduct.evidence", { optional: true }),
      yesNoField("anonymous", "conduct.anonymous"),
    ],
    // The reporter's own words, to them alone.
    summaryLabel: () => "RED",
    summary: (context, answers) => reportText(context, toReport(answers)),
    complete: (context, answers) => complete(context, toReport(answers)),
  };
}

/** The report as the reporter confirms it and the abuse team reads it. */
export function reportText(context: Pick<ChatContext, "text">, report: ConductReportAnswers) {
  const none = context.text({ key: "conduct.notGiven" }).plain;
  return context.text({
    key: "conduct.summary",
    params: {
      what: report.what,
      who: report.who ?? none,
      whereWhen: report.whereWhen,
      evidence: report.evidence === "" ? none : report.evidence,
    },
  });
}

function toReport(answers: Answers): ConductReportAnswers {
  const who = typeof answers["who"] === "string" ? answers["who"] : "";
  return {
    what: String(answers["what"]),
    who: who === "" ? undefined : who,
    whereWhen: String(answers["where-when"]),
    evidence: typeof answers["evidence"] === "string" ? answers["evidence"] : "",
    anonymous: answers["anonymous"] === true,
  };
}
