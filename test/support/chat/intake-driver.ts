import fc from "fast-check";
import { expect } from "chai";
import type { ChatWorld, Queued } from "./chat-world.js";
import { expectAllEscaped } from "./escaping.js";
import { hostileAnswer, hostileText, hugeText, longUserId } from "./hostile-text.js";

/** For each question of an intake, the answers that the question takes. */
export type ValidAnswers = Readonly<Record<string, fc.Arbitrary<string>>>;

/** One guided conversation run: the answers given per question, and noise sent in between. */
export interface IntakeRun {
  readonly answers: Readonly<Record<string, string>>;
  /** Sent instead of an answer while any is left: a question may re-ask, or take it. */
  readonly noise: readonly string[];
  /** Whether to correct one answer (`change <field>`) at the summary first. */
  readonly change: string | undefined;
}

/** Words that steer a conversation (`cancel`, `no` at the summary): noise must not be one. */
function steers(text: string): boolean {
  return /^\s*(!dsx\s+)?(cancel|no?|y|yes|si|sí|ok|change|edit|cambiar)(\s|$)/i.test(text);
}

/** Noise: hostile text of any length, a huge message, an answer meant for another question. */
export const noise: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: hostileText },
    { weight: 3, arbitrary: hostileAnswer },
    { weight: 1, arbitrary: hugeText(100_000) },
    { weight: 1, arbitrary: hugeText(8_500) },
    { weight: 1, arbitrary: longUserId },
    { weight: 1, arbitrary: fc.constantFrom("report incident", "help", "status", "done", "7") },
  )
  .filter((text) => !steers(text));

/** A run of an intake whose questions are `fields`, answered from `valid`. */
export function intakeRun(valid: ValidAnswers): fc.Arbitrary<IntakeRun> {
  return fc.record({
    answers: fc.record(valid),
    noise: fc.array(noise, { maxLength: 6 }),
    change: fc.option(fc.constantFrom(...Object.keys(valid)), { nil: undefined }),
  });
}

/**
 * Walks an intake by its prompts (`org.dsx.prompt`) from the command that starts it to the
 * confirmation, sending noise first while there is some; checks every message on the way is
 * escaped and returns what the bot said last (after `yes`).
 */
export async function walkIntake(
  world: ChatWorld,
  sender: string,
  start: string,
  run: IntakeRun,
): Promise<{ prompts: string[]; final: Queued[] }> {
  const room = world.dm(sender);
  const noiseLeft = [...run.noise];
  let change = run.change;
  const prompts: string[] = [];
  // A run that failed half-way leaves its conversation open: start afresh.
  await world.say(room, sender, "cancel");
  let said = await world.say(room, sender, start);
  for (let turn = 0; turn < 60; turn++) {
    expectAllEscaped(said);
    const prompt = said
      .map((m) => m.content["org.dsx.prompt"])
      .filter((p) => p !== undefined)
      .at(-1);
    if (prompt === undefined) return { prompts, final: said };
    prompts.push(prompt);
    let text: string;
    if (prompt === "confirm") {
      if (change !== undefined) {
        text = `change ${change}`;
        change = undefined;
      } else text = "yes";
    } else {
      const answer = run.answers[prompt];
      expect(answer, `an answer for ${prompt}`).to.be.a("string");
      text = noiseLeft.shift() ?? answer ?? "";
    }
    said = await world.say(room, sender, text);
    // A message too long for the bot is refused without repeating the question: answer it.
    if (
      said.length === 1 &&
      said[0]?.content["org.dsx.prompt"] === undefined &&
      text.length > 20_000
    )
      said = await world.say(room, sender, run.answers[prompt] ?? "");
  }
  throw new Error(`the intake did not end: ${prompts.join(" ")}`);
}
