import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredTables, schemaDifferences } from '../../scripts/schema-check.ts';
import { ROOT } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/** The check `npm run lint` runs (scripts/check-schema.ts), on this file's own database. */
describe('the schema check: SQL migrations against the drizzle tables', () => {
  let stack: Stack;
  let tables: Record<string, unknown>;

  beforeAll(async () => {
    stack = await startStack({ label: 'schema_check', database: 'postgres', services: false });
    tables = await declaredTables();
  });

  afterAll(() => stack.stop());

  it('finds them in agreement', async () => {
    expect(await schemaDifferences(stack.db.sql, tables)).toEqual([]);
  });

  it('names a table declared in drizzle that no migration creates', async () => {
    const stray = pgTable('stray_things', { id: integer('id').primaryKey(), label: text('label').notNull() });
    const problems = await schemaDifferences(stack.db.sql, { ...tables, stray });
    expect(problems).toContain('column only in the *.tables.ts: stray_things.id integer not null');
    expect(problems).toContain('column only in the *.tables.ts: stray_things.label text not null');
  });

  it('names an index a migration adds that no table declares', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-migrations-'));
    try {
      await cp(path.join(ROOT, 'src/db/migrations'), dir, { recursive: true });
      await writeFile(path.join(dir, '9999_extra_index.sql'), 'create index users_name_idx on users (name);\n');
      expect(await schemaDifferences(stack.db.sql, tables, dir)).toEqual([
        'index only in the SQL migrations: CREATE INDEX users_name_idx ON users USING btree (name)',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
