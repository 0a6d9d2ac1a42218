import type { Command } from "../../chat/command.js";
import type { ChatContext } from "../../chat/context.js";
import { startDialogue, type Dialogue } from "../../chat/dialogue.js";
import { canonicalUserId, isUserId } from "../../policy/user-id.js";
import { audit } from "../../store/audit-log.js";
import { nextCaseId } from "../../store/case-numbers.js";
import type { ConductReport } from "../../store/entities/conduct-report.js";
import type { Sanction } from "../../store/entities/sanction.js";
import type { ConductReportAnswers } from "./intake.js";
import {
  CARRIED_OUT_AFTER_CLOSE,
  scheduleExpulsion,
  scheduleNobodyNotice,
  scheduleReportRoom,
  scheduleWarning,
} from "./jobs.js";
import { answer, closedRoom } from "./messages.js";
import { handlingOf, recused } from "./recusal.js";
import { tellReporter, type ConductServices } from "./services.js";

const OUTCOMES = ["warning", "expulsion", "no-action", "resolved", "withdrawn"] as const;

/** A handlers' command: it acts on the open report of the room it is used in. */
type ReportCommand = (
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  rest: string,
) => Promise<void>;

/**
 * The workflow's command table: `report harassment` in a direct room starts the intake; in a
 * report's room its handlers add notes, warn, expel and close.
 */
export function conductCommands(services: ConductServices, intake: Dialogue): Command[] {
  const handlersCommand = (words: string[], summary: string, run: ReportCommand): Command => ({
    words,
    rooms: ["report"],
    summary,
    // The advisory committee handles the reports that leave no one of the abuse team; the
    // report's own handlers are checked with the report.
    allowed: (context) =>
      context.directory.isAbuseTeam(context.inbound.sender) ||
      context.directory.isAdvisoryCommittee(context.inbound.sender),
    run: (context, rest) => withReport(services, context, rest, run),
  });
  return [
    {
      words: ["report", "harassment"],
      rooms: ["direct"],
      summary: "conduct.command",
      opens: "conduct",
      run: async (context) => {
        context.reply(answer(context, { key: "conduct.start" }));
        await startDialogue(context, intake);
      },
    },
    handlersCommand(["note"], "conduct.commandNote", note),
    handlersCommand(["warn"], "conduct.commandWarn", warn),
    handlersCommand(["expel"], "conduct.commandExpel", expel),
    handlersCommand(["close"], "conduct.commandClose", close),
  ];
}

/**
 * A confirmed report: stored sealed, with the handlers left once recusal is applied; the
 * report's room is made for them or, with none left, DSX's other people are told it waits.
 */
export async function openReport(
  services: ConductServices,
  context: ChatContext,
  answers: ConductReportAnswers,
): Promise<void> {
  const { manager, inbound, directory } = context;
  const now = new Date();
  const caseId = await nextCaseId(manager, "COC", now);
  // The person named as the directory spells them: `@Ana:…` is Ana, and is recused.
  const named = answers.who === undefined ? undefined : directory.resolveUser(answers.who);
  const { body, handlers } = handlingOf(directory, inbound.sender, named);
  const details = {
    ...answers,
    reporter: inbound.sender,
    reporterRoom: inbound.roomId,
    handledBy: body,
  };
  await services.store.open(manager, { caseId, details, handlers, named }, now);
  // The reporter is named in the audit log only when they did not ask for anonymity.
  await audit(manager, {
    actor: answers.anonymous ? null : inbound.sender,
    action: "conduct.reported",
    caseId,
  });
  context.reply(
    answer(context, { key: "conduct.received", params: { caseId } }, { caseId, step: "received" }),
  );
  if (handlers.length > 0) {
    await scheduleReportRoom(services, manager, caseId, now.getTime());
    return;
  }
  // Everyone on the abuse team and the advisory committee is recused: DSX's other people
  // are told a report waits.
  const out = recused(directory, inbound.sender, named);
  const others = directory.dsx.members.filter((member) => !out.has(canonicalUserId(member)));
  if (others.length === 0) {
    services.log.error("nobody can handle a conduct report", { caseId });
    return;
  }
  await scheduleNobodyNotice(services, manager, caseId, others, now.getTime());
}

async function withReport(
  services: ConductServices,
  context: ChatContext,
  rest: string,
  run: ReportCommand,
): Promise<void> {
  const report = await services.store.byRoom(context.manager, context.inbound.roomId);
  if (!report || !services.store.handlers(report).includes(context.inbound.sender)) {
    context.reply(answer(context, { key: "conduct.notHandler" }));
    return;
  }
  await run(services, context, report, rest);
}

async function note(
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  rest: string,
): Promise<void> {
  const text = rest.trim();
  if (!text) {
    context.reply(answer(context, { key: "conduct.noteUsage" }));
    return;
  }
  const { manager, inbound } = context;
  const count = await services.store.addNote(manager, report, {
    by: inbound.sender,
    at: Date.now(),
    text,
  });
  await audit(manager, { actor: inbound.sender, action: "conduct.note", caseId: report.caseId });
  context.reply(
    answer(
      context,
      { key: "conduct.noted", params: { count } },
      { caseId: report.caseId, step: "note" },
    ),
  );
}

/** A warning in the person's direct room; it never names the reporter. */
async function warn(
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  rest: string,
): Promise<void> {
  const sanctioned = sanctionArguments(rest);
  if (sanctioned === undefined) {
    context.reply(answer(context, { key: "conduct.warnUsage" }));
    return;
  }
  const { user, words } = sanctioned;
  await scheduleWarning(services, context.manager, report.caseId, user, words);
  await sanction(services, context, report, user, "warning");
  context.reply(
    answer(
      context,
      { key: "conduct.warned", params: { user } },
      { caseId: report.caseId, step: "warning" },
    ),
  );
}

/** Expulsion: a ban from every room the bot moderates, recorded as a sanction. */
async function expel(
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  rest: string,
): Promise<void> {
  const sanctioned = sanctionArguments(rest);
  if (sanctioned === undefined) {
    context.reply(answer(context, { key: "conduct.expelUsage" }));
    return;
  }
  const { user } = sanctioned;
  if (context.directory.isAbuseTeam(user) || user === services.client.getSafeUserId()) {
    context.reply(answer(context, { key: "conduct.expelTeam" }));
    return;
  }
  await scheduleExpulsion(services, context.manager, report.caseId, user);
  await sanction(services, context, report, user, "expulsion");
}

async function close(
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  rest: string,
): Promise<void> {
  const word = (rest.trim().split(/\s+/)[0] ?? "").toLowerCase();
  const outcome = (OUTCOMES as readonly string[]).includes(word) ? word : "other";
  const { caseId } = report;
  const { manager } = context;
  if (report.roomId !== null)
    await services.say(manager, report.roomId, closedRoom(context, caseId, outcome));
  await tellReporter(services, manager, report, {
    key: "conduct.closedReporter",
    params: { outcome },
  });
  await audit(manager, {
    actor: context.inbound.sender,
    action: "conduct.closed",
    caseId,
    outcome,
  });
  await services.store.close(manager, report, outcome, new Date(), CARRIED_OUT_AFTER_CLOSE);
}

/**
 * What `!dsx warn` and `!dsx expel` take: the person (a user ID) and the team's words, which a
 * warning delivers and an expulsion keeps in the report's room only.
 */
function sanctionArguments(rest: string): { user: string; words: string } | undefined {
  const [, user = "", words = ""] = /^(\S+)\s+([\s\S]+)$/.exec(rest.trim()) ?? [];
  return isUserId(user) ? { user, words } : undefined;
}

async function sanction(
  services: ConductServices,
  context: ChatContext,
  report: ConductReport,
  userId: string,
  kind: Sanction["kind"],
): Promise<void> {
  await services.store.sanction(context.manager, report.caseId, userId, kind);
  await audit(context.manager, {
    actor: context.inbound.sender,
    action: `conduct.${kind}`,
    caseId: report.caseId,
  });
}
