import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { fromPglite, openPostgres, type DatabaseHandle } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Set for PostgreSQL: the URL of the fresh database (for child processes). */
  url?: string;
  /** Closes the handle and drops the database this helper created. */
  drop(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh PostgreSQL database of this test file's own, dropped afterwards: under vitest a clone of
 * the template the global setup migrated once (test/setup/databases.ts); elsewhere (benchmarks)
 * created and migrated here.
 */
export async function createPostgresDatabase(label: string): Promise<TestDatabase> {
  const name = `ainfo_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const template = process.env.VITEST ? inject('pgTemplate') : undefined;
  await adminQuery(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString());
  if (!template) await migrate(handle.sql);
  return {
    handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}

/** A fresh in-memory PGlite, loaded from the migrated dump the global setup made. */
export async function createPgliteDatabase(): Promise<TestDatabase> {
  const dump = await readFile(inject('pgliteDump'));
  const client = new PGlite({ loadDataDir: new Blob([dump]) });
  await client.waitReady;
  const handle = fromPglite(client);
  return { handle, drop: () => handle.close() };
}
