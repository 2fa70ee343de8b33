// vitest globalSetup: the migrated databases every test file clones instead of migrating its own.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { fromPglite, openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { TEST_PG_ADMIN_URL } from '../helpers/db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database migrated once for this run: clone it (CREATE DATABASE … TEMPLATE). */
    pgTemplate: string;
    /** A migrated PGlite data directory (a gzipped dump) to load instead of creating and migrating one. */
    pgliteDump: string;
  }
}

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../src/db/migrations');

/** A short hash of the migrations: a changed migration never reuses a template built from the old ones. */
async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) hash.update(file).update(await readFile(path.join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 10);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The hash names what is in it; the run id keeps parallel runs (other engineers, other branches) apart.
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const template = `ainfo_tpl_${await migrationsHash()}_${run}`;
  await admin((client) => client.query(`create database "${template}"`));
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${template}`;
  const handle = openPostgres(url.toString(), { max: 1 });
  try {
    await migrate(handle.sql);
  } finally {
    // A template must have no open connection while it is cloned.
    await handle.close();
  }

  const pglite = new PGlite();
  const dumpFile = path.join(os.tmpdir(), `ainfo-pglite-${run}.tar.gz`);
  try {
    await migrate(fromPglite(pglite).sql);
    const dump = await pglite.dumpDataDir();
    await writeFile(dumpFile, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await pglite.close();
  }

  project.provide('pgTemplate', template);
  project.provide('pgliteDump', dumpFile);
  return async () => {
    await admin((client) => client.query(`drop database if exists "${template}" with (force)`));
    await rm(dumpFile, { force: true });
  };
}
