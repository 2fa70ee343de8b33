import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';

const run = promisify(execFile);

describe('ainfo createsuperuser', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'createsuperuser', database: 'postgres', services: false });
  });

  afterAll(() => stack.stop());

  async function ainfo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, ...stack.childEnv({ LOG_LEVEL: 'silent' }) };
    try {
      const { stdout, stderr } = await run('node', ['bin/ainfo.js', 'createsuperuser', ...args], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  // Each run boots the CLI under tsx (seconds; much longer on a loaded machine), hence two rounds of two.
  it('creates a verified admin, then promotes idempotently, and explains bad input', { timeout: 300_000 }, async () => {
    const [created, weak] = await Promise.all([
      ainfo('--email', 'root@example.com', '--password', 'quiet harbor lights', '--name', '운영자'),
      ainfo('--email', 'weak@example.com', '--password', 'short'),
    ]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ status: 'created', email: 'root@example.com', name: '운영자', isAdmin: true });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/--password: 비밀번호는 8자 이상/);

    const [again, missing] = await Promise.all([
      ainfo('--email', 'ROOT@example.com', '--password', 'quiet harbor lights'),
      ainfo('--password', 'quiet harbor lights'),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--email/);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'promoted', email: 'root@example.com', name: '운영자' });
    const rows = await stack.db.sql.query<{ n: string }>('select count(*) as n from users where is_admin and email_verified_at is not null');
    expect(Number(rows[0]?.n)).toBe(1);

  });
});
