import { expect } from "chai";
import { Catalog } from "../../../src/chat/catalog.js";
import { spokenDuration } from "../../../src/chat/spoken-duration.js";

describe("chat/spoken-duration", () => {
  const catalog = Catalog.load();
  const say = (ms: number, language = "en") => spokenDuration(catalog, language, ms);

  it("says a period as people do, in the largest unit that measures it", () => {
    expect(say(14 * 86_400_000)).to.equal("2 weeks");
    expect(say(21 * 86_400_000, "es")).to.equal("3 semanas");
    expect(say(10 * 86_400_000)).to.equal("10 days");
    expect(say(86_400_000)).to.equal("a day");
    expect(say(7 * 86_400_000, "es")).to.equal("una semana");
    expect(say(12 * 3600_000)).to.equal("12 hours");
    expect(say(90_000)).to.equal("90 seconds");
    expect(say(60_000, "es")).to.equal("un minuto");
    expect(say(1)).to.equal("a second");
    expect(say(2500)).to.equal("3 seconds");
  });
});
