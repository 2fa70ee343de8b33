// vitest globalSetup: the PostgreSQL database every test file clones instead of migrating its own.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { migrationsHash, TEST_PG_ADMIN_URL } from '../helpers/db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database migrated once for this run: clone it (CREATE DATABASE … TEMPLATE). */
    pgTemplate: string;
  }
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

/** A PostgreSQL database migrated once, to clone. */
async function pgTemplate(name: string): Promise<void> {
  await admin((client) => client.query(`create database "${name}"`));
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { max: 1 });
  try {
    await migrate(handle.sql);
  } finally {
    // A template must have no open connection while it is cloned.
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the templates of runs that were killed before their teardown: those whose process (the pid
 * in the name) is gone and that are over an hour old. A running suite's template is never touched.
 */
async function dropAbandonedTemplates(): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'ainfo_tpl_%'`);
    for (const { datname } of rows) {
      const match = /^ainfo_tpl_[0-9a-f]+_(\d+)_([0-9a-z]+)$/.exec(datname);
      if (!match) continue;
      const [pid, startedAt] = [Number(match[1]), Number.parseInt(match[2] ?? '', 36)];
      if (Date.now() - startedAt < 3_600_000 || isAlive(pid)) continue;
      await client.query(`drop database if exists "${datname}" with (force)`);
    }
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The hash names what is in it; the run id (pid and start) keeps parallel runs (other engineers,
  // other branches) apart.
  const template = `ainfo_tpl_${await migrationsHash()}_${process.pid}_${Date.now().toString(36)}`;
  await dropAbandonedTemplates();
  const teardown = async (): Promise<void> => {
    await admin((client) => client.query(`drop database if exists "${template}" with (force)`));
  };
  try {
    await pgTemplate(template);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('pgTemplate', template);
  return teardown;
}
