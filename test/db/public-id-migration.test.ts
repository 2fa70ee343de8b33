import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/index.ts';
import { openPostgres } from '../../src/db/client.ts';
import { adminQuery as admin, TEST_PG_ADMIN_URL } from '../helpers/db.ts';
import { ROOT } from '../helpers/processes.ts';

const MIGRATIONS = path.join(ROOT, 'src/db/migrations');

describe('users.public_id: added to a database that already has users (real PostgreSQL)', () => {
  const name = `ainfo_t_publicid_${randomBytes(4).toString('hex')}`;
  let earlier = '';
  let handle: ReturnType<typeof openPostgres>;

  beforeAll(async () => {
    await admin(`create database "${name}"`);
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${name}`;
    handle = openPostgres(url.toString(), { max: 2 });
    // The migrations as they were before the public ids.
    earlier = await mkdtemp(path.join(os.tmpdir(), 'ainfo-migrations-'));
    for (const file of await readdir(MIGRATIONS)) if (file < '0014') await cp(path.join(MIGRATIONS, file), path.join(earlier, file));
  });

  afterAll(async () => {
    await handle.close();
    await admin(`drop database if exists "${name}" with (force)`);
    await rm(earlier, { recursive: true, force: true });
  });

  it('gives every existing user a distinct random public id, and every new one too', async () => {
    await migrate(handle.sql, earlier);
    await handle.sql.query(
      `insert into users (email, name, password_hash) select 'old' || g || '@example.com', '옛 사용자', 'x' from generate_series(1, 50) g`,
    );
    const applied = await migrate(handle.sql);
    expect(applied).toContain('0014_accounts_public_id');
    await handle.sql.query(`insert into users (email, name, password_hash) values ('new@example.com', '새 사용자', 'x')`);
    const rows = await handle.sql.query<{ public_id: string }>('select public_id::text from users');
    expect(rows).toHaveLength(51);
    expect(new Set(rows.map((row) => row.public_id)).size).toBe(51);
    for (const row of rows) expect(row.public_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await expect(handle.sql.query(`update users set public_id = (select public_id from users where email = 'new@example.com') where email = 'old1@example.com'`)).rejects.toThrow(
      /users_public_id_key/,
    );
  });
});
