import type { EntityManager } from "typeorm";
import type { TlpLabel } from "../policy/tlp.js";
import type { ChatContext } from "./context.js";
import type { ConversationState } from "./conversation-store.js";
import { reportHeld } from "./limit-answers.js";
import type { ReceivedFile } from "./received-file.js";
import { lines, type Rendered } from "./render.js";

export type Answers = Readonly<Record<string, unknown>>;

/** One question of a guided conversation; `name` is its `org.dsx.prompt`. */
export interface DialogueField {
  readonly name: string;
  question(context: ChatContext, answers: Answers): Rendered;
  /** Reads an answer; a problem is said to the person and the question asked again. */
  parse(
    context: ChatContext,
    text: string,
    answers: Answers,
  ): { value: unknown } | { problem: Rendered };
  /** Whether the question does not apply, given the answers so far. */
  skip?(answers: Answers): boolean;
  /**
   * Takes a file sent while this question is open (the question stays open); returns the new
   * answers, or undefined when the file was refused (the field said why).
   */
  acceptFile?(
    context: ChatContext,
    file: ReceivedFile,
    answers: Answers,
  ): Promise<Answers | undefined>;
}

/**
 * A guided conversation (an intake): questions in order, then a summary to confirm, with the
 * chance to change any answer first. Its state is a stored row, so it survives restarts.
 */
export interface Dialogue {
  readonly kind: string;
  readonly fields: readonly DialogueField[];
  /** The label the summary is shown under (it repeats the person's answers to them alone). */
  summaryLabel(answers: Answers): TlpLabel;
  summary(context: ChatContext, answers: Answers): Rendered;
  complete(context: ChatContext, answers: Answers): Promise<void>;
  /**
   * The dialogue is dropped (`cancel`, `no` at the summary, or left unanswered too long): forget
   * what it kept aside.
   */
  discard?(manager: EntityManager, answers: Answers): Promise<void>;
}

export const CONFIRM_STEP = "confirm";

/** Starts a dialogue: stores it and asks the first question. */
export async function startDialogue(context: ChatContext, dialogue: Dialogue): Promise<void> {
  await advance(context, dialogue, {});
}

/** Takes the person's next message as the answer to the question they were asked. */
export async function continueDialogue(
  context: ChatContext,
  dialogue: Dialogue,
  state: ConversationState,
  text: string,
): Promise<void> {
  if (state.step === CONFIRM_STEP) return confirm(context, dialogue, state, text.trim());
  const field = dialogue.fields.find((f) => f.name === state.step);
  if (!field) {
    // A stored step this version no longer has: ask what is still unanswered.
    await advance(context, dialogue, state.answers);
    return;
  }
  const parsed = field.parse(context, text, state.answers);
  if ("problem" in parsed) {
    ask(context, field.name, lines([parsed.problem, field.question(context, state.answers)]));
    return;
  }
  await advance(context, dialogue, { ...state.answers, [field.name]: parsed.value });
}

async function confirm(
  context: ChatContext,
  dialogue: Dialogue,
  state: ConversationState,
  text: string,
): Promise<void> {
  const [word = "", target] = text.toLowerCase().split(/\s+/, 2);
  if (["yes", "y", "si", "sí", "ok"].includes(word)) {
    // Over the limit the report waits, whole, for a later `yes`: nothing written is lost.
    if (await reportHeld(context, dialogue.kind, "limits.reportKept")) return;
    await context.conversations.end();
    await dialogue.complete(context, applicable(dialogue, state.answers));
    await context.reports.counted();
    return;
  }
  if (["no", "n"].includes(word)) {
    await context.conversations.end();
    await dialogue.discard?.(context.manager, state.answers);
    context.reply({ label: "WHITE", text: context.text({ key: "dialogue.dropped" }) });
    return;
  }
  const field = dialogue.fields.find(
    (f) => f.name === target && !(f.skip?.(state.answers) ?? false),
  );
  if (["change", "edit", "cambiar"].includes(word) && field) {
    await context.conversations.save({
      kind: dialogue.kind,
      step: field.name,
      answers: state.answers,
    });
    ask(context, field.name, field.question(context, state.answers));
    return;
  }
  showSummary(context, dialogue, state.answers);
}

/**
 * Asks the first question that applies and has no answer yet, or shows the summary when none is
 * left: the normal order, and after a correction whatever the corrected answer made relevant.
 */
async function advance(context: ChatContext, dialogue: Dialogue, answers: Answers): Promise<void> {
  const next = dialogue.fields.find((f) => !(f.skip?.(answers) ?? false) && !(f.name in answers));
  await context.conversations.save({
    kind: dialogue.kind,
    step: next?.name ?? CONFIRM_STEP,
    answers,
  });
  if (next) ask(context, next.name, next.question(context, answers));
  else showSummary(context, dialogue, answers);
}

/** Whether the question open in this conversation takes files. */
export function takesFiles(dialogue: Dialogue, state: ConversationState): boolean {
  return dialogue.fields.find((f) => f.name === state.step)?.acceptFile !== undefined;
}

/** A file sent in a conversation: the open question takes it, if it takes files. */
export async function fileForDialogue(
  context: ChatContext,
  dialogue: Dialogue,
  state: ConversationState,
  file: ReceivedFile,
): Promise<boolean> {
  const field = dialogue.fields.find((f) => f.name === state.step);
  if (!field?.acceptFile) return false;
  const answers = await field.acceptFile(context, file, state.answers);
  if (answers !== undefined) await context.conversations.save({ ...state, answers });
  return true;
}

/** The answers to the questions that apply (a correction may have made some irrelevant). */
function applicable(dialogue: Dialogue, answers: Answers): Answers {
  const names = dialogue.fields.filter((f) => !(f.skip?.(answers) ?? false)).map((f) => f.name);
  return Object.fromEntries(Object.entries(answers).filter(([name]) => names.includes(name)));
}

function ask(context: ChatContext, prompt: string, text: Rendered): void {
  context.reply({ label: "WHITE", prompt, text });
}

function showSummary(context: ChatContext, dialogue: Dialogue, answers: Answers): void {
  const names = dialogue.fields
    .filter((f) => !(f.skip?.(answers) ?? false))
    .map((f) => `\`${f.name}\``);
  context.reply({
    label: dialogue.summaryLabel(answers),
    privateTo: context.inbound.sender,
    prompt: CONFIRM_STEP,
    text: lines([
      dialogue.summary(context, answers),
      context.text({ key: "dialogue.confirm", params: { fields: names.join(", ") } }),
    ]),
  });
}
