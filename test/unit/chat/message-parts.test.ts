import { expect } from "chai";
import fc from "fast-check";
import { contentBytes, MAX_CONTENT_BYTES, toContents } from "../../../src/chat/message-parts.js";
import { verbatim } from "../../../src/chat/render.js";
import type { BotMessage } from "../../../src/chat/bot-message.js";

const report = (plain: string): BotMessage => ({
  label: "RED",
  caseId: "INC-2026-0001",
  step: "report",
  prompt: "confirm",
  text: verbatim(plain),
});
/** The text of the parts, markers taken off. */
const pieces = (message: BotMessage): string[] =>
  toContents(message, "1.0").map((c) =>
    c.body.replace(/^\[TLP:RED\] /, "").replace(/^\(\d+\/\d+\) /, ""),
  );

describe("chat/message-parts: a message too large for one event", () => {
  it("goes as one event while it fits, with its markup", () => {
    const [only, ...rest] = toContents(
      { label: "AMBER", text: { plain: "hi", html: "<strong>hi</strong>" } },
      "1.0",
    );
    expect(rest).to.deep.equal([]);
    expect(only?.formatted_body).to.contain("<strong>hi</strong>");
    expect(only).not.to.have.property("org.dsx.part");
  });

  it("goes as numbered parts, the question and step with the last, each with label and case", () => {
    // Two 8,000-character answers in Cyrillic: 32 KB of text, twice over with its HTML.
    const answer = "Фишинговая страница входа в почту. ".repeat(230);
    const contents = toContents(report(`Description: ${answer}\nMeasures: ${answer}`), "1.0");
    expect(contents.length).to.be.greaterThan(1);
    contents.forEach((content, i) => {
      const last = i === contents.length - 1;
      expect(contentBytes(content)).to.be.at.most(MAX_CONTENT_BYTES);
      expect(content["org.dsx.part"]).to.equal(`${i + 1}/${contents.length}`);
      expect(content.body.startsWith(`[TLP:RED] (${i + 1}/${contents.length}) `)).to.equal(true);
      expect([content["org.dsx.tlp"], content["org.dsx.case"]]).to.deep.equal([
        "RED",
        "INC-2026-0001",
      ]);
      expect(content["org.dsx.prompt"]).to.equal(last ? "confirm" : undefined);
      expect(content["org.dsx.step"]).to.equal(last ? "report" : undefined);
    });
    expect(contents[1]?.body).to.contain("Measures:");
  });

  it("keeps every character, in order, each part under the limit, whatever the text", () => {
    const char = fc.oneof(
      fc.constantFrom("a", " ", "\n", "<", "&", '"', "'", "\u0000", "é", "€", "😀", "中"),
      fc.string({ unit: "grapheme", maxLength: 3 }),
    );
    let split = 0;
    fc.assert(
      fc.property(
        fc.array(char, { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 2000 }),
        (cs, times) => {
          const text = cs.join("").repeat(times);
          const message = report(text);
          for (const content of toContents(message, "1.0"))
            expect(contentBytes(content)).to.be.at.most(MAX_CONTENT_BYTES);
          const parts = pieces(message);
          if (parts.length === 1) expect(parts[0]).to.equal(text);
          else split++;
          if (parts.length > 1)
            expect(parts.join("").replace(/\n/g, "")).to.equal(text.replace(/\n/g, ""));
        },
      ),
      { numRuns: 60 },
    );
    expect(split, "runs that were split").to.be.greaterThan(5);
  });
});
