import type { EntityManager } from "typeorm";
import { DEFAULT_LANGUAGE } from "../config/default-language.js";
import { Person } from "./entities/person.js";

/** The language a person chose (`language es`); English until they choose. */
export async function languageOf(manager: EntityManager, userId: string): Promise<string> {
  return (await manager.findOneBy(Person, { userId }))?.language ?? DEFAULT_LANGUAGE;
}
