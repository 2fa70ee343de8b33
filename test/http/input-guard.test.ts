import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { AdminClient } from '../admin/admin-client.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const ADMIN = { email: 'guard-admin@example.com', password: 'Seoul-river-2026!', name: '관리자' };

type Fields = { error: { code: string; message: string; fields?: { field: string; message: string }[] } };

/** The fields a 400 names. */
const fieldsOf = (body: string): string[] => (JSON.parse(body) as Fields).error.fields?.map((f) => f.field) ?? [];

describe('control characters in any input (real PostgreSQL and Redis)', () => {
  let stack: Stack;
  let app: App;
  let adminToken = '';

  beforeAll(async () => {
    stack = await startStack({ label: 'inputguard', database: 'postgres', app: true, env: { AUTH_RATE_LIMIT_PER_MINUTE: '1000' } });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    await stack.services.accounts.createSuperuser(ADMIN);
    const login = await app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email: ADMIN.email, password: ADMIN.password } });
    adminToken = login.json<{ accessToken: string }>().accessToken;
  });

  afterAll(() => stack.stop());

  it('refuses a NUL byte in a signup name with 400 naming the field in Korean, and stores nothing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/accounts/signup',
      payload: { email: 'nul-name@example.com', password: 'blue ocean 7 waves', name: '김\u0000민지' },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<Fields>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(response.body)).toEqual(['name']);
    expect(body.error.fields?.[0]?.message).toMatch(/제어 문자/);
    const rows = await stack.db.sql.query('select 1 from users where email = $1', ['nul-name@example.com']);
    expect(rows).toHaveLength(0);
  });

  it('refuses control characters in a login address, a search and the admin filters with 400, not 500', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email: 'a\u0000@example.com', password: 'whatever it is' } });
    expect(login.statusCode).toBe(400);
    expect(fieldsOf(login.body)).toEqual(['email']);

    const search = await app.inject({ method: 'GET', url: '/api/policies/search?q=%EC%B2%AD%EB%85%84%00' });
    expect(search.statusCode).toBe(400);
    expect(fieldsOf(search.body)).toEqual(['q']);

    const users = await app.inject({ method: 'GET', url: '/api/admin/users?q=%00', headers: { authorization: `Bearer ${adminToken}` } });
    expect(users.statusCode).toBe(400);
    expect(fieldsOf(users.body)).toEqual(['q']);

    const client = new AdminClient(app, '10.9.0.1');
    expect((await client.login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
    const page = await client.get('/admin/users?q=%1B%5B31m');
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('제어 문자');
  });

  it('allows line breaks only where a field is multi-line (a notice body), never in its title', async () => {
    const headers = { authorization: `Bearer ${adminToken}` };
    const ok = await app.inject({ method: 'POST', url: '/api/admin/notices', headers, payload: { title: '줄바꿈 확인', content: '첫 줄\n둘째 줄\r\n\t들여쓰기' } });
    expect(ok.statusCode).toBe(201);
    const nul = await app.inject({ method: 'POST', url: '/api/admin/notices', headers, payload: { title: '제목', content: '본문\u0000' } });
    expect(nul.statusCode).toBe(400);
    expect(fieldsOf(nul.body)).toEqual(['content']);
    const title = await app.inject({ method: 'POST', url: '/api/admin/notices', headers, payload: { title: '제목\n가짜 헤더', content: '본문' } });
    expect(title.statusCode).toBe(400);
    expect(fieldsOf(title.body)).toEqual(['title']);
  });
});
