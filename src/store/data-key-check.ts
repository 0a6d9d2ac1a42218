import { IsNull, Not, type DataSource, type EntityManager } from "typeorm";
import { DataKeyCheck } from "./entities/data-key-check.js";
import type { FieldCipher } from "./field-cipher.js";
import { SEALED_COLUMNS } from "./sealed-columns.js";

const CHECK_ID = 1;
const CHECK_TEXT = "dsx-bot data key check";
const CHECK_CONTEXT = `data_key_check.value:${String(CHECK_ID)}`;

/**
 * Which of `candidates` the database's sealed values were made with, or undefined when none
 * opens them (a fresh key on an existing database would otherwise be taken, fail on the first
 * sealed value it reads, and seal new ones under a key nothing else opens). The check is a
 * known text sealed at the first open; a database from before it has one of its sealed values
 * tried instead, and gets its check then. Key rotation re-seals the check with the rest.
 */
export async function keyOpeningDatabase(
  dataSource: DataSource,
  candidates: readonly FieldCipher[],
): Promise<FieldCipher | undefined> {
  const stored = await dataSource.manager.findOneBy(DataKeyCheck, { id: CHECK_ID });
  if (stored) return candidates.find((cipher) => opens(cipher, stored.value, CHECK_CONTEXT));
  const probe = await anySealedValue(dataSource.manager);
  const key =
    probe === undefined
      ? candidates[0]
      : candidates.find((cipher) => opens(cipher, probe.value, probe.context));
  if (key === undefined) return undefined;
  try {
    await dataSource.manager.insert(DataKeyCheck, {
      id: CHECK_ID,
      value: key.encrypt(CHECK_TEXT, CHECK_CONTEXT),
    });
  } catch (error) {
    // Another process recorded it first (the check is the row's primary key): judge by theirs.
    if ((await dataSource.manager.countBy(DataKeyCheck, { id: CHECK_ID })) === 0) throw error;
    return keyOpeningDatabase(dataSource, candidates);
  }
  return key;
}

function opens(cipher: FieldCipher, value: string, context: string): boolean {
  try {
    cipher.decrypt(value, context);
    return true;
  } catch {
    return false;
  }
}

/** One sealed value of the database and the place it is bound to, if there is any. */
async function anySealedValue(
  manager: EntityManager,
): Promise<{ value: string; context: string } | undefined> {
  for (const sealed of SEALED_COLUMNS) {
    if (sealed.entity === DataKeyCheck) continue;
    const [row] = (await manager.find(sealed.entity, {
      where: { [sealed.column]: Not(IsNull()) },
      take: 1,
    })) as Record<string, unknown>[];
    const value = row?.[sealed.column];
    if (row && typeof value === "string") return { value, context: sealed.context(row) };
  }
  return undefined;
}
