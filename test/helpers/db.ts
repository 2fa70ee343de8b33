import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Set for PostgreSQL: the URL of the fresh database (for child processes). */
  url?: string;
  /** Closes the handle and drops the database this helper created. */
  drop(): Promise<void>;
}

/** A fresh, migrated PostgreSQL database of this test file's own, dropped afterwards. */
export async function createPostgresDatabase(label: string): Promise<TestDatabase> {
  const name = `ainfo_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString());
  await migrate(handle.sql);
  return {
    handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A fresh, migrated in-memory PGlite (slow to create: one per test file). */
export async function createPgliteDatabase(): Promise<TestDatabase> {
  const handle = await openPglite(undefined);
  await migrate(handle.sql);
  return { handle, drop: () => handle.close() };
}
