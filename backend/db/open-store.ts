/**
 * The backend's store: PostgreSQL when a database URL is configured (several
 * instances share it), else the embedded SQLite file in the data directory.
 */
import { join } from 'node:path';
import type { BackendConfig } from '../config.js';
import { PostgresDatabase } from './postgres-database.js';
import { SqlStore } from './sql-store.js';
import { SqliteDatabase } from './sqlite-database.js';
import type { DataStore } from './store.js';

export const SQLITE_FILE = 'eid-bridge.sqlite';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openStore(config: Pick<BackendConfig, 'dataDir' | 'databaseUrl'>): Promise<DataStore> {
  if (config.databaseUrl !== undefined) {
    if (!isPostgresUrl(config.databaseUrl)) throw new Error('The database URL must start with postgres:// or postgresql://');
    return SqlStore.open(new PostgresDatabase(config.databaseUrl));
  }
  return SqlStore.open(new SqliteDatabase(join(config.dataDir, SQLITE_FILE)));
}
