import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { LOGIN_PAGE_PER_MINUTE } from '../../src/modules/admin/index.ts';
import { buildServices, buildWebApp, openCore, type Core, type Services } from '../../src/processes/compose.ts';
import { startStack, testConfig, type Stack } from '../helpers/stack.ts';
import { AdminClient } from './admin-client.ts';

const ADMIN = { email: 'login-admin@example.com', password: 'Seoul-river-2026!', name: '관리자' };

/** A second web process on the same Redis, database and configuration (or only the same DATA_DIR). */
async function secondWeb(stack: Stack, env: Record<string, string>): Promise<{ core: Core; services: Services; app: App; close: () => Promise<void> }> {
  const core = await openCore(testConfig(stack.prefix, env), stack.core.log, 'web');
  const services = buildServices(core, stack.db, { ownsDatabase: false });
  const app = await buildWebApp(core, services);
  return {
    core,
    services,
    app,
    close: async () => {
      await app.close();
      await services.close();
      await core.close();
    },
  };
}

describe('the admin login form: its CSRF state in a signed cookie, nothing in Redis before a login (real Redis, PostgreSQL)', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack({ label: 'adminlogin', database: 'postgres', app: true });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    await stack.services.accounts.createSuperuser(ADMIN);
  });

  afterAll(() => stack.stop());

  const sessionKeys = (): Promise<string[]> => stack.core.broker.connection.keys(`${stack.prefix}:ainfo:admin:session:*`);

  it('stores nothing in Redis for a cookie-less login page, and rate-limits the page per client', async () => {
    const before = await sessionKeys();
    for (let view = 0; view < LOGIN_PAGE_PER_MINUTE; view += 1) {
      const response = await app.inject({ method: 'GET', url: '/admin/login', remoteAddress: '10.7.0.1' });
      expect(response.statusCode).toBe(200);
    }
    expect(await sessionKeys()).toEqual(before);
    const limited = await app.inject({ method: 'GET', url: '/admin/login', remoteAddress: '10.7.0.1' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('text/html');
    expect(limited.body).toContain('요청이 너무 많습니다');
    expect((await app.inject({ method: 'GET', url: '/admin/login', remoteAddress: '10.7.0.2' })).statusCode).toBe(200);
  });

  it('gives the form a signed, HttpOnly cookie for the login path only, and signs in with it', async () => {
    const client = new AdminClient(app, '10.7.0.3');
    const page = await client.get('/admin/login');
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(/^ainfo_admin_login=[^;]+\.[^;]+; Max-Age=1800; Path=\/admin\/login; HttpOnly; SameSite=Lax$/);
    expect(client.cookies.has('ainfo_admin_session')).toBe(false);
    const login = await client.post('/admin/login', { _csrf: AdminClient.csrfOf(page.body), email: ADMIN.email, password: ADMIN.password, next: '/admin' });
    expect(login.statusCode).toBe(303);
    expect(client.cookies.has('ainfo_admin_session')).toBe(true);
    // The form's cookie is spent with the login.
    expect(client.cookies.has('ainfo_admin_login')).toBe(false);
    expect((await client.get('/admin')).statusCode).toBe(200);
  });

  it('refuses a form token without its cookie, with another form\'s cookie, with a tampered cookie, or older than 30 minutes', async () => {
    const submit = async (client: AdminClient, csrf: string) =>
      client.post('/admin/login', { _csrf: csrf, email: ADMIN.email, password: ADMIN.password, next: '/admin' });

    const noCookie = new AdminClient(app, '10.7.0.4');
    const csrf = AdminClient.csrfOf((await noCookie.get('/admin/login')).body);
    noCookie.cookies.clear();
    expect((await submit(noCookie, csrf)).statusCode).toBe(403);

    const first = new AdminClient(app, '10.7.0.4');
    const second = new AdminClient(app, '10.7.0.4');
    const firstToken = AdminClient.csrfOf((await first.get('/admin/login')).body);
    await second.get('/admin/login');
    first.cookies.set('ainfo_admin_login', second.cookies.get('ainfo_admin_login') ?? '');
    expect((await submit(first, firstToken)).statusCode).toBe(403);

    const tampered = new AdminClient(app, '10.7.0.4');
    const tamperedToken = AdminClient.csrfOf((await tampered.get('/admin/login')).body);
    const value = tampered.cookies.get('ainfo_admin_login') ?? '';
    tampered.cookies.set('ainfo_admin_login', `${value.slice(0, -2)}${value.endsWith('A') ? 'BB' : 'AA'}`);
    const refused = await submit(tampered, tamperedToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('로그인 양식이 만료되었습니다');
    expect(tampered.cookies.has('ainfo_admin_session')).toBe(false);

    const late = new AdminClient(app, '10.7.0.4');
    const lateToken = AdminClient.csrfOf((await late.get('/admin/login')).body);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 31 * 60_000);
      expect((await submit(late, lateToken)).statusCode).toBe(403);
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts a form served by another web process with the same JWT_SECRET', async () => {
    const other = await secondWeb(stack, {});
    try {
      const client = new AdminClient(app, '10.7.0.5');
      const csrf = AdminClient.csrfOf((await client.get('/admin/login')).body);
      const onOther = new AdminClient(other.app, '10.7.0.5');
      for (const [name, value] of client.cookies) onOther.cookies.set(name, value);
      const login = await onOther.post('/admin/login', { _csrf: csrf, email: ADMIN.email, password: ADMIN.password, next: '/admin' });
      expect(login.statusCode).toBe(303);
    } finally {
      await other.close();
    }
  });

  it('without JWT_SECRET, agrees through the secret stored in the shared data directory', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ainfo-login-secret-'));
    const env = { JWT_SECRET: '', DATA_DIR: dataDir };
    const [one, two] = [await secondWeb(stack, env), await secondWeb(stack, env)];
    try {
      const client = new AdminClient(one.app, '10.7.0.6');
      const csrf = AdminClient.csrfOf((await client.get('/admin/login')).body);
      const onTwo = new AdminClient(two.app, '10.7.0.6');
      for (const [name, value] of client.cookies) onTwo.cookies.set(name, value);
      expect((await onTwo.post('/admin/login', { _csrf: csrf, email: ADMIN.email, password: ADMIN.password, next: '/admin' })).statusCode).toBe(303);
    } finally {
      await one.close();
      await two.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
