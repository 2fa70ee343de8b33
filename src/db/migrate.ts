import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlRunner } from './client.ts';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Serialises migrators of processes that start together (web and worker on one PostgreSQL). */
const MIGRATION_LOCK_ID = 7_240_531;

/**
 * Applies `src/db/migrations/NNNN_name.sql` in order, each once, each in its own transaction, and
 * records them in `schema_migrations`. Returns the names applied by this call.
 */
export async function migrate(runner: SqlRunner, dir = MIGRATIONS_DIR): Promise<string[]> {
  return runner.session((sql) => migrateOn(sql, dir));
}

async function migrateOn(sql: SqlRunner, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  await sql.exec(`create table if not exists schema_migrations (
    name text primary key,
    applied_at timestamptz not null default now()
  )`);
  const applied: string[] = [];
  await sql.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  try {
    const done = new Set((await sql.query<{ name: string }>('select name from schema_migrations')).map((row) => row.name));
    for (const file of files) {
      const name = file.replace(/\.sql$/, '');
      if (done.has(name)) continue;
      const script = await readFile(path.join(dir, file), 'utf8');
      const quoted = name.replaceAll("'", "''");
      await sql.exec(`begin;\n${script}\n;insert into schema_migrations (name) values ('${quoted}');\ncommit;`);
      applied.push(name);
    }
  } catch (error) {
    await sql.exec('rollback').catch(() => undefined);
    throw error;
  } finally {
    await sql.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
  }
  return applied;
}
