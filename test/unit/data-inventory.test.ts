import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createDataSource } from "../../src/store/data-source.js";
import { SEALED_COLUMNS } from "../../src/store/sealed-columns.js";
import { repositoryRoot } from "../support/paths.js";

/** README's data inventory: table → the columns it lists, and those it says are sealed. */
async function inventory(): Promise<{ listed: Map<string, Set<string>>; sealed: Set<string> }> {
  const readme = await readFile(join(repositoryRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Data inventory"));
  const listed = new Map<string, Set<string>>();
  const sealed = new Set<string>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const table = /^`(\w+)`$/.exec(cells[1] ?? "")?.[1];
    if (table === undefined) continue;
    const columns = [...(cells[2] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1] ?? "");
    const set = listed.get(table) ?? new Set<string>();
    for (const column of columns) {
      set.add(column);
      if ((cells[4] ?? "").startsWith("sealed")) sealed.add(`${table}.${column}`);
    }
    listed.set(table, set);
  }
  return { listed, sealed };
}

describe("README's data inventory", () => {
  it("lists every column of every table, and says sealed exactly for the sealed columns", async () => {
    const { listed, sealed } = await inventory();
    const dataSource = createDataSource({ type: "sqlite", path: ":memory:" });
    await dataSource.initialize();
    try {
      const missing: string[] = [];
      for (const metadata of dataSource.entityMetadatas)
        for (const column of metadata.columns)
          if (!listed.get(metadata.tableName)?.has(column.databaseName))
            missing.push(`${metadata.tableName}.${column.databaseName}`);
      expect(missing, "columns not in the inventory").to.deep.equal([]);
      const tables = new Set(dataSource.entityMetadatas.map((m) => m.tableName));
      expect(
        [...listed.keys()].filter((t) => !tables.has(t)),
        "tables that do not exist",
      ).to.deep.equal([]);
    } finally {
      await dataSource.destroy();
    }
    expect([...sealed].sort()).to.deep.equal(
      SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort(),
    );
  });
});
