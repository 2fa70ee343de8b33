import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import type { SqlRunner } from '../src/db/index.ts';
import { importModuleFiles } from '../src/processes/discover.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MIGRATIONS_DIR = path.join(ROOT, 'src/db/migrations');
const OWN_TABLES = ['schema_migrations'];

/** Every table declared with drizzle: each module's `*.tables.ts`, the dev mailbox's and the task outbox's. */
export async function declaredTables(): Promise<Record<string, unknown>> {
  const tables: Record<string, unknown> = {};
  const files = [
    ...(await importModuleFiles('tables')),
    { source: 'mail/mailbox.tables.ts', exports: (await import('../src/mail/mailbox.tables.ts')) as Record<string, unknown> },
    { source: 'tasks/outbox.tables.ts', exports: (await import('../src/tasks/outbox.tables.ts')) as Record<string, unknown> },
  ];
  for (const file of files) for (const [name, value] of Object.entries(file.exports)) tables[`${file.source}:${name}`] = value;
  return tables;
}

/** The DDL drizzle-kit generates for `tables` on an empty database (what `drizzle-kit generate` would write first). */
export async function generatedDdl(tables: Record<string, unknown>): Promise<string[]> {
  return generateMigration(generateDrizzleJson({}), generateDrizzleJson(tables));
}

interface Catalog {
  columns: string[];
  constraints: string[];
  indexes: string[];
}

/** The shape of one schema as PostgreSQL itself describes it, names of the schema taken out. */
async function catalogOf(sql: SqlRunner, schema: string): Promise<Catalog> {
  const strip = (text: string): string => text.replaceAll(`${schema}.`, '').replaceAll(`"${schema}".`, '');
  const ignored = OWN_TABLES.map((table) => `'${table}'`).join(', ');
  const columns = await sql.query<{ line: string }>(
    `select table_name || '.' || column_name || ' ' || data_type || case when is_nullable = 'NO' then ' not null' else '' end
            || coalesce(' default ' || column_default, '') || case when is_identity = 'YES' then ' identity ' || identity_generation else '' end as line
       from information_schema.columns where table_schema = $1 and table_name not in (${ignored}) order by 1`,
    [schema],
  );
  // Constraint names differ by author (PostgreSQL's `_fkey` or drizzle's `_fk`): foreign keys
  // compare by definition; every other constraint by name and definition.
  const constraints = await sql.query<{ line: string }>(
    `select c.conrelid::regclass::text || ' ' || case when c.contype = 'f' then '' else c.conname || ' ' end || pg_get_constraintdef(c.oid) as line
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where n.nspname = $1 and c.conrelid::regclass::text not in (${OWN_TABLES.map((table) => `'${schema}.${table}'`).join(', ')}) order by 1`,
    [schema],
  );
  const indexes = await sql.query<{ line: string }>(
    `select indexdef as line from pg_indexes where schemaname = $1 and tablename not in (${ignored})
        and indexname not in (select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = $1)
      order by 1`,
    [schema],
  );
  return {
    columns: columns.map((row) => strip(row.line)),
    constraints: constraints.map((row) => strip(row.line)),
    indexes: indexes.map((row) => strip(row.line)),
  };
}

function differences(kind: string, migrated: readonly string[], declared: readonly string[]): string[] {
  const inMigrations = new Set(migrated);
  const inTables = new Set(declared);
  return [
    ...migrated.filter((line) => !inTables.has(line)).map((line) => `${kind} only in the SQL migrations: ${line}`),
    ...declared.filter((line) => !inMigrations.has(line)).map((line) => `${kind} only in the *.tables.ts: ${line}`),
  ];
}

/**
 * Where the hand-written SQL migrations and the drizzle tables disagree, one line each; empty
 * when they describe the same schema. Builds both side by side in two schemas of one database
 * (on one connection of `runner`) and compares PostgreSQL's own description of each.
 */
export async function schemaDifferences(runner: SqlRunner, tables: Record<string, unknown>, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  return runner.session((session) => compareOn(session, tables, migrationsDir));
}

async function compareOn(sql: SqlRunner, tables: Record<string, unknown>, migrationsDir: string): Promise<string[]> {
  const run = `${process.pid}_${Date.now().toString(36)}`;
  const [fromMigrations, fromTables] = [`check_migrations_${run}`, `check_tables_${run}`];
  try {
    await sql.exec(`create schema ${fromMigrations}; create schema ${fromTables}`);
    await sql.exec(`set search_path to ${fromMigrations}`);
    for (const file of (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort()) {
      await sql.exec(await readFile(path.join(migrationsDir, file), 'utf8'));
    }
    await sql.exec(`set search_path to ${fromTables}`);
    for (const statement of await generatedDdl(tables)) await sql.exec(statement.replaceAll('"public".', ''));
    const [migrated, declared] = [await catalogOf(sql, fromMigrations), await catalogOf(sql, fromTables)];
    return [
      ...differences('column', migrated.columns, declared.columns),
      ...differences('constraint', migrated.constraints, declared.constraints),
      ...differences('index', migrated.indexes, declared.indexes),
    ];
  } finally {
    await sql.exec('set search_path to public');
    await sql.exec(`drop schema if exists ${fromMigrations} cascade; drop schema if exists ${fromTables} cascade`);
  }
}
