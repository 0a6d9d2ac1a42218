import { expect } from "chai";
import { Catalog } from "../../../src/chat/catalog.js";
import { labelTag, renderText } from "../../../src/chat/render.js";
import { toContent } from "../../../src/chat/bot-message.js";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { repositoryRoot } from "../../support/paths.js";

const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();

describe("chat/catalog and rendering", () => {
  const catalog = Catalog.load();

  it("has English and Spanish with the same keys and placeholders", () => {
    expect(catalog.available).to.include.members(["en", "es"]);
    const english = catalog.keys("en");
    for (const language of catalog.available) {
      expect(catalog.keys(language).sort(), language).to.deep.equal([...english].sort());
      for (const key of english) {
        expect(placeholders(catalog.template(language, key)), `${language}: ${key}`).to.deep.equal(
          placeholders(catalog.template("en", key)),
        );
      }
    }
  });

  it("refuses a key that is in no catalogue", () => {
    expect(() => catalog.template("en", "no.such.key")).to.throw(/no.such.key/);
  });

  it("turns markup into HTML and escapes what fills the placeholders", () => {
    const rendered = renderText(catalog, "en", {
      key: "help.unknown",
      params: { command: "<img src=x onerror=alert(1)>**x**" },
    });
    expect(rendered.html).to.contain("<strong>&lt;img src=x onerror=alert(1)&gt;**x**</strong>");
    expect(rendered.html).to.not.contain("<img");
    expect(rendered.plain).to.equal(
      "Sorry, I don't know the command <img src=x onerror=alert(1)>**x**. Here is what you can ask me:",
    );
  });

  it("heads every message with its label and carries the org.dsx fields", () => {
    const content = toContent(
      {
        label: "AMBER",
        caseId: "INC-2026-0001",
        step: "summary",
        text: { plain: "hi", html: "hi" },
      },
      "1.0",
    );
    expect(content).to.deep.include({
      msgtype: "m.notice",
      body: "[TLP:AMBER] hi",
      "org.dsx.tlp": "AMBER",
      "org.dsx.case": "INC-2026-0001",
      "org.dsx.step": "summary",
    });
    expect(content.formatted_body).to.match(
      /^<strong><span data-mx-color="#FFC000" data-mx-bg-color="#000000">TLP:AMBER<\/span><\/strong> hi$/,
    );
    expect(content).to.not.have.property("org.dsx.prompt");
    expect(labelTag("WHITE", "2.0").plain).to.equal("[TLP:CLEAR]");
  });
});

describe("chat/catalog: every key the code names", () => {
  it("is in the catalogue (a key removed while still used fails a command at run time)", async () => {
    const catalog = Catalog.load();
    const known = new Set(catalog.keys("en"));
    // Log fields use `key` too, for configuration paths (`ops.metrics`): only catalogue sections.
    const sections = new Set([...known].map((key) => key.split(".")[0]));
    const files = (await readdir(join(repositoryRoot, "src"), { recursive: true })).filter((f) =>
      f.endsWith(".ts"),
    );
    const missing: string[] = [];
    for (const file of files) {
      const source = await readFile(join(repositoryRoot, "src", file), "utf8");
      for (const [, key] of source.matchAll(/\bkey: "([a-zA-Z]+\.[\w.-]+)"/g))
        if (key !== undefined && sections.has(key.split(".")[0]) && !known.has(key))
          missing.push(`${file}: ${key}`);
    }
    expect(missing).to.deep.equal([]);
  });
});
