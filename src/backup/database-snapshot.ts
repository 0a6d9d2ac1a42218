import type { DataSource, EntityManager, EntityMetadata } from "typeorm";
import { DataKeyCheck } from "../store/entities/data-key-check.js";

/** The rows of every table, read in one transaction, and the migrations that made the schema. */
export interface DatabaseSnapshot {
  readonly migrations: readonly string[];
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

/** Rows inserted at once when restoring (under SQLite's limit of bound values). */
const BATCH = 50;

/**
 * Reads every entity's rows in one read transaction (REPEATABLE READ on PostgreSQL; SQLite's
 * WAL gives a transaction one snapshot), as entities: the same shape on SQLite and PostgreSQL,
 * so a backup of one restores into the other. Sealed columns stay sealed.
 */
export async function snapshotDatabase(dataSource: DataSource): Promise<DatabaseSnapshot> {
  const read = async (manager: EntityManager): Promise<DatabaseSnapshot> => {
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const metadata of sorted(dataSource.entityMetadatas))
      tables[metadata.tableName] = await manager.find<Record<string, unknown>>(metadata.target);
    const migrations = (
      await manager.query<{ name: string }[]>('SELECT name FROM "migrations" ORDER BY id')
    ).map((m) => m.name);
    return { migrations, tables };
  };
  return dataSource.options.type === "postgres"
    ? dataSource.transaction("REPEATABLE READ", read)
    : dataSource.transaction(read);
}

/**
 * Whether no entity table holds a row (a database a backup may be restored into). The data key
 * check alone (left by `migrate`, say) holds nothing: the restore replaces it with the backup's.
 */
export async function isDatabaseEmpty(dataSource: DataSource): Promise<boolean> {
  for (const metadata of dataSource.entityMetadatas)
    if (metadata.target !== DataKeyCheck && (await dataSource.manager.count(metadata.target)) > 0)
      return false;
  return true;
}

/**
 * Writes a snapshot's rows into a migrated, empty database, in one transaction. The schema may
 * be newer than the backup's (later migrations add columns): each row sets what it has.
 */
export async function restoreDatabase(
  dataSource: DataSource,
  snapshot: DatabaseSnapshot,
): Promise<void> {
  const known = new Set(dataSource.migrations.map((m) => m.name));
  const unknown = snapshot.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(`the backup comes from a newer dsx-bot (migrations ${unknown.join(", ")})`);
  await dataSource.transaction(async (manager) => {
    // The backup's rows are sealed under its key: a check made with another goes.
    await manager.createQueryBuilder().delete().from(DataKeyCheck).execute();
    for (const metadata of sorted(dataSource.entityMetadatas)) {
      const rows = snapshot.tables[metadata.tableName] ?? [];
      for (let i = 0; i < rows.length; i += BATCH)
        await manager.insert(metadata.target, rows.slice(i, i + BATCH));
      if (dataSource.options.type === "postgres" && metadata.hasColumnWithPropertyPath("id")) {
        // Rows came with their ids: the sequence continues after the largest.
        await manager.query(
          `SELECT setval(pg_get_serial_sequence('"${metadata.tableName}"', 'id'), ` +
            `GREATEST((SELECT MAX(id) FROM "${metadata.tableName}"), 1))`,
        );
      }
    }
  });
}

function sorted(metadatas: readonly EntityMetadata[]): EntityMetadata[] {
  return [...metadatas].sort((a, b) => a.tableName.localeCompare(b.tableName));
}
