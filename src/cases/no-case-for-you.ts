import type { ChatContext } from "../chat/context.js";

/**
 * The one answer for a case someone is not party to, the same whether it exists, is closed or
 * never was: anything more precise would let a stranger enumerate case numbers.
 */
export function replyNoCaseForYou(context: ChatContext, caseId: string): void {
  context.reply({
    label: "WHITE",
    text: context.text({ key: "case.noneForYou", params: { caseId: caseId.slice(0, 40) } }),
  });
}
