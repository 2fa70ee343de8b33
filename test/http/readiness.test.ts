import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.ts';
import type { App } from '../../src/http/app.ts';
import { createLogger } from '../../src/log/logger.ts';
import { buildServices, buildWebApp, openCore, type Core, type Services } from '../../src/processes/compose.ts';
import { AdminClient } from '../admin/admin-client.ts';
import { freePort } from '../helpers/browser.ts';
import { TEST_PG_ADMIN_URL } from '../helpers/db.ts';
import { startStack, testConfig, type Stack } from '../helpers/stack.ts';

const ADMIN = { email: 'ready-admin@example.com', password: 'Seoul-river-2026!', name: '관리자' };
const MISSING_DATABASE = 'ainfo_readyz_no_such_database';

type NotReady = { error: { code: string; message: string }; checks: Record<string, string> };

/** A web process's core, services and app composed as `ainfo web` does, logging into an array. */
async function composeWeb(stack: Stack, env: Record<string, string>, databaseUrl: string): Promise<{ core: Core; services: Services; app: App; logged: () => string }> {
  const lines: string[] = [];
  const config = testConfig(stack.prefix, { ...env, DATABASE_URL: databaseUrl });
  const core = await openCore(config, createLogger('info', {}, { write: (line: string) => void lines.push(line) }), 'web');
  const services = buildServices(core, await openDatabase(config, { allowEmbedded: false }));
  const app = await buildWebApp(core, services);
  return { core, services, app, logged: () => lines.join('') };
}

describe('what /readyz and search tell the public about a dependency that is down (real PostgreSQL, Redis, a closed Chroma port)', () => {
  let stack: Stack;
  let chromaDown: Awaited<ReturnType<typeof composeWeb>>;
  let databaseDown: Awaited<ReturnType<typeof composeWeb>>;
  let chromaPort = 0;

  beforeAll(async () => {
    chromaPort = await freePort();
    stack = await startStack({ label: 'readiness', database: 'postgres', services: false });
    const databaseUrl = stack.database?.url ?? '';
    const missing = new URL(TEST_PG_ADMIN_URL);
    missing.pathname = `/${MISSING_DATABASE}`;
    chromaDown = await composeWeb(stack, { CHROMA_URL: `http://127.0.0.1:${chromaPort}` }, databaseUrl);
    databaseDown = await composeWeb(stack, {}, missing.toString());
    await chromaDown.services.accounts.createSuperuser(ADMIN);
  });

  afterAll(async () => {
    for (const web of [chromaDown, databaseDown]) {
      await web.app.close();
      await web.services.close();
      await web.core.close();
    }
    await stack.stop();
  });

  it('names the dependency that is down, in Korean, without its address; the log has the detail', async () => {
    const response = await chromaDown.app.inject('/readyz');
    expect(response.statusCode).toBe(503);
    const body = response.json<NotReady>();
    expect(body.error.code).toBe('NOT_READY');
    expect(body.error.message).toContain('chroma');
    expect(body.error.message).toMatch(/[가-힣]/);
    expect(body.checks).toEqual({ redis: 'ok', database: 'ok', chroma: 'down' });
    expect(response.body).not.toContain('127.0.0.1');
    expect(response.body).not.toContain(String(chromaPort));
    expect(chromaDown.logged()).toContain(`127.0.0.1:${chromaPort}`);
  });

  it('does not show the database name or its server when the database is down', async () => {
    const response = await databaseDown.app.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json<NotReady>().checks).toEqual({ redis: 'ok', database: 'down' });
    expect(response.body).not.toContain(MISSING_DATABASE);
    expect(databaseDown.logged()).toContain(MISSING_DATABASE);
  });

  it('answers a search with 503 naming the search index, never Chroma\'s address', async () => {
    const api = await chromaDown.app.inject(`/api/policies/search?q=${encodeURIComponent('청년 월세')}`);
    expect(api.statusCode).toBe(503);
    expect(api.json<NotReady>().error).toMatchObject({ code: 'SEARCH_UNAVAILABLE', message: expect.stringContaining('정책 검색') as unknown });
    expect(api.body).not.toContain('127.0.0.1');
    const page = await chromaDown.app.inject(`/policies?q=${encodeURIComponent('청년 월세')}`);
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('정책 검색을 지금 사용할 수 없습니다');
    expect(page.body).not.toContain('127.0.0.1');
    expect(chromaDown.logged()).toMatch(/search unavailable[\s\S]*127\.0\.0\.1/);
  });

  it('shows each dependency with its detail on the admin dashboard, behind the login', async () => {
    const client = new AdminClient(chromaDown.app, '10.8.0.1');
    expect((await client.login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
    const dashboard = await client.get('/admin');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toMatch(/data-dependency="chroma"[\s\S]*?연결 안 됨/);
    expect(dashboard.body).toContain(`127.0.0.1:${chromaPort}`);
    expect(dashboard.body).toMatch(/data-dependency="database"[\s\S]*?정상/);
  });
});
