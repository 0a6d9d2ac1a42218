import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { Catalog } from "../../../src/chat/catalog.js";
import type { Command } from "../../../src/chat/command.js";
import { Directory } from "../../../src/config/directory.js";
import { ChatWorld, PEOPLE } from "../chat/chat-world.js";
import { repositoryRoot } from "../paths.js";
import { permissionTable, withTable, type Role } from "./permission-table.js";

/**
 * The roles of README's table, each a person of the chat world's directory; those of a case by
 * their side of it (README says what each side is).
 */
export const ROLES: readonly Role[] = [
  { name: "DSX staff", userId: PEOPLE.ana, sides: ["dsx"] },
  { name: "abuse team", userId: PEOPLE.lee, sides: [] },
  { name: "advisory", userId: PEOPLE.kim, sides: [] },
  { name: "partner of the case", userId: PEOPLE.maria, sides: ["partner"] },
  { name: "other partner", userId: PEOPLE.pablo, sides: [] },
  { name: "affiliate", userId: PEOPLE.carla, sides: [] },
  { name: "provider of the case", userId: PEOPLE.sam, sides: ["provider"] },
  { name: "other provider", userId: PEOPLE.sam, sides: [] },
  { name: "invited in", userId: PEOPLE.carla, sides: ["invited"] },
  { name: "stranger", userId: PEOPLE.stranger, sides: [] },
];

export const README = join(repositoryRoot, "README.md");

/** The command table and the directory README's table is made from (the chat world's). */
export async function commandTable(): Promise<{
  commands: readonly Command[];
  directory: Directory;
}> {
  const world = await ChatWorld.create();
  try {
    return { commands: world.commands(), directory: new Directory(world.config) };
  } finally {
    await world.stop();
  }
}

/** README as it should be: its permission table made from the commands as they are now. */
export async function readmeWithCurrentTable(): Promise<{ current: string; wanted: string }> {
  const world = await ChatWorld.create();
  try {
    const table = permissionTable(
      world.commands(),
      ROLES,
      new Directory(world.config),
      Catalog.load(),
    );
    const current = await readFile(README, "utf8");
    // Formatted as the project's lint wants README (its tables padded).
    const options = { ...(await resolveConfig(README)), filepath: README };
    return { current, wanted: await format(withTable(current, table), options) };
  } finally {
    await world.stop();
  }
}

/** `npm run docs:permissions`: writes the table into README. */
export async function writeReadmeTable(): Promise<void> {
  const { wanted } = await readmeWithCurrentTable();
  await writeFile(README, wanted);
}
