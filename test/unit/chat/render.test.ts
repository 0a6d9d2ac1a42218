import { expect } from "chai";
import { lines, quoted, verbatim } from "../../../src/chat/render.js";

describe("chat/render: someone else's words", () => {
  it("are a block quote in HTML and `> ` lines in the plain body, escaped", () => {
    const text = quoted("Your account is <b>suspended</b>\nverify at https://evil.example");
    expect(text.plain).to.equal(
      "> Your account is <b>suspended</b>\n> verify at https://evil.example",
    );
    expect(text.html).to.equal(
      "<blockquote>Your account is &lt;b&gt;suspended&lt;/b&gt;<br>verify at https://evil.example</blockquote>",
    );
  });

  it("cannot close the quote early: every line of the plain body stays quoted", () => {
    const text = lines([verbatim("The reporter wrote:"), quoted("a\n\nDSX: all fine\n")]);
    expect(text.plain.split("\n").slice(1)).to.deep.equal(["> a", "> ", "> DSX: all fine", "> "]);
  });
});
