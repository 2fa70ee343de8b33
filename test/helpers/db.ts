import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { fromPglite, openPostgres, type DatabaseHandle } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../src/db/migrations');

/** A short hash of the migrations: a changed migration never reuses a database built from the old ones. */
export async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) hash.update(file).update(await readFile(path.join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 10);
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Set for PostgreSQL: the URL of the fresh database (for child processes). */
  url?: string;
  /** Closes the handle and drops the database this helper created. */
  drop(): Promise<void>;
}

/** Runs one statement on the admin database (create and drop test databases). */
export async function adminQuery(text: string): Promise<void> {
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

const PGLITE_VERSION = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }
).version;

/**
 * A migrated PGlite, dumped once per migrations and PGlite version and kept in the temp directory:
 * loading it takes a third of the time of creating and migrating a new one. Two files that race
 * to make it each make one; the rename makes either dump whole.
 */
async function migratedPgliteDump(): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `ainfo-pglite-${await migrationsHash()}-${PGLITE_VERSION}.tar.gz`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return cached;
  const pglite = new PGlite();
  try {
    await migrate(fromPglite(pglite).sql);
    const dump = Buffer.from(await (await pglite.dumpDataDir()).arrayBuffer());
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, dump);
    await rename(partial, file);
    return dump;
  } finally {
    await pglite.close();
  }
}

/** A fresh in-memory PGlite, migrated (loaded from the cached dump of a migrated one). */
export async function createPgliteDatabase(): Promise<TestDatabase> {
  const client = new PGlite({ loadDataDir: new Blob([await migratedPgliteDump()]) });
  await client.waitReady;
  const handle = fromPglite(client);
  return { handle, drop: () => handle.close() };
}
