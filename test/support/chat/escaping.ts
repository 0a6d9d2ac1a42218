import { expect } from "chai";
import { MARKDOWN_TOKEN } from "./hostile-text.js";
import type { Queued } from "./chat-world.js";

/**
 * The markup the bot itself writes (src/chat/render.ts, the label tag, alerts, the CSV):
 * anything else that looks like a tag came from someone's text unescaped.
 */
const BOT_TAG =
  /^<(?:\/?(?:strong|code|pre|ul|li|span)|br|span data-mx-color="#[0-9a-f]{6}" data-mx-bg-color="#000000")>/i;

/**
 * Checks that a message is safe HTML for Matrix's subset: every `<` begins one of the bot's own
 * tags, they are balanced, no `>` stands alone, every `&` begins an entity, and no person's
 * markdown became markup.
 */
export function expectEscaped(message: Queued): void {
  const html = message.content.formatted_body;
  const where = `formatted_body ${JSON.stringify(html.slice(0, 300))}`;
  expect(message.content.format, where).to.equal("org.matrix.custom.html");
  expect(typeof message.content.body, where).to.equal("string");
  const open: string[] = [];
  for (let i = html.indexOf("<"); i !== -1; i = html.indexOf("<", i + 1)) {
    const tag = BOT_TAG.exec(html.slice(i))?.[0];
    expect(tag, `a tag the bot does not write at ${String(i)} in ${where}`).to.be.a("string");
    const name = /^<\/?(\w+)/.exec(tag ?? "")?.[1] ?? "";
    if (name === "br") continue;
    if (tag?.startsWith("</")) expect(open.pop(), `unbalanced ${tag} in ${where}`).to.equal(name);
    else open.push(name);
  }
  expect(open, `unclosed tags in ${where}`).to.deep.equal([]);
  const text = html.replace(/<[^>]*>/g, "");
  expect(text, `a bare > in ${where}`).to.not.contain(">");
  expect(text.replace(/&(?:amp|lt|gt|quot|#39);/g, ""), `a bare & in ${where}`).to.not.contain("&");
  expect(html, `markdown became markup in ${where}`).to.not.match(
    new RegExp(`<(strong|code)>${MARKDOWN_TOKEN}</`),
  );
}

/** Checks every message of a list. */
export function expectAllEscaped(messages: readonly Queued[]): void {
  for (const message of messages) expectEscaped(message);
}
