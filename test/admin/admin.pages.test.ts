import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { App } from '../../src/http/app.ts';
import { buildServices, buildWebApp } from '../../src/processes/compose.ts';
import { defineTask, PermanentError } from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { seedUsers, waitUntil } from '../notifications/notices.fixtures.ts';
import { AdminClient } from './admin-client.ts';

const ADMIN = { email: 'admin@example.com', password: 'Seoul-river-2026!', name: '관리자 <김>' };
const MEMBER = { email: 'member@example.com', password: 'Busan-seagull-2026!' };

/** Fails every time, without retries: a task for the retry button. */
const alwaysFails = defineTask(
  { name: 'admintest.alwaysFails', queue: 'default', schema: z.object({ reason: z.string() }) },
  ({ reason }) => Promise.reject(new PermanentError(reason)),
);

describe('admin pages (session login, CSRF, pages, audit; real PostgreSQL and Redis)', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack({
      label: 'admin',
      database: 'postgres',
      env: { AUTH_RATE_LIMIT_PER_MINUTE: '5' },
      app: true,
      worker: { queues: ['default'], tasks: [alwaysFails] },
    });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    const { accounts } = stack.services;
    await accounts.createSuperuser(ADMIN);
    await accounts.createSuperuser({ ...MEMBER, name: '회원' });
    await stack.db.sql.query(`update users set is_admin = false where email = $1`, [MEMBER.email]);
    await seedUsers(stack.db.sql, 'yes', 30, { consent: true, verified: true });
    await seedUsers(stack.db.sql, 'no', 12, { consent: false, verified: true });
    await seedUsers(stack.db.sql, 'unverified', 5, { consent: true, verified: false });
  });

  afterAll(() => stack.stop());

  /** The audit rows of one action (and target), newest first, as the admin wrote them. */
  const audited = (action: string, target?: string): Promise<{ target: string | null; admin_email: string | null }[]> =>
    stack.db.sql.query(
      `select target, admin_email from admin_audit_log where action = $1 and ($2::text is null or target = $2) order by id desc`,
      [action, target ?? null],
    );

  it('sends anonymous visitors to the login page and answers 401 on the JSON routes', async () => {
    const client = new AdminClient(app);
    for (const url of ['/admin', '/admin/notices', '/admin/users', '/admin/schedules', '/admin/dataload', '/admin/tasks', '/admin/audit', '/admin/queues', '/admin/mailbox']) {
      const response = await client.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
    expect((await client.get('/admin/notices/1/progress')).statusCode).toBe(401);
    expect((await client.get('/admin/queues/api/queues')).statusCode).toBe(401);
    const post = await client.post('/admin/notices', { title: 't', content: 'c' });
    expect(post.statusCode).toBe(303);
    expect((await stack.services.notifications.listNotices(1, 10)).total).toBe(0);
  });

  it('serves the login form with an HttpOnly, SameSite=Lax form cookie and the strict CSP', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin/login' });
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^ainfo_admin_login=[A-Za-z0-9_-]{30,}\.\d+\.[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/admin/login');
    expect(cookie).not.toContain('Secure');
    const csp = String(response.headers['content-security-policy']);
    // Nothing by default; our stylesheet; no script on a page that loads none.
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(response.body).not.toMatch(/\sstyle="/);
    expect(response.body).toContain('관리자 로그인');
    const css = await app.inject({ method: 'GET', url: '/assets/ainfo.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).not.toMatch(/https?:\/\//);
  });

  it('marks the cookies Secure when PUBLIC_URL is https', async () => {
    const { config } = stack.core;
    const https = { ...stack.core, config: { ...config, http: { ...config.http, publicUrl: 'https://ainfo.example' } } };
    const services = buildServices(https, stack.db, { ownsDatabase: false });
    const secureApp = await buildWebApp(https, services);
    try {
      const client = new AdminClient(secureApp, '10.0.0.7');
      const form = await client.get('/admin/login');
      expect(String(form.headers['set-cookie'])).toMatch(/^ainfo_admin_login=[^;]+; Max-Age=1800; Path=\/admin\/login; HttpOnly; Secure; SameSite=Lax$/);
      const login = await client.post('/admin/login', { _csrf: AdminClient.csrfOf(form.body), email: ADMIN.email, password: ADMIN.password, next: '/admin' });
      const session = [login.headers['set-cookie']].flat().find((cookie) => cookie?.startsWith('ainfo_admin_session='));
      expect(session).toMatch(/^ainfo_admin_session=[A-Za-z0-9_-]{40,}; Max-Age=43200; Path=\/admin; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      await secureApp.close();
      await services.close();
    }
  });

  it('refuses a login without the form token, a wrong password and a non-admin, and records the refusals', async () => {
    const client = new AdminClient(app, '10.0.0.1');
    await client.get('/admin/login');
    const noToken = await client.post('/admin/login', { email: ADMIN.email, password: ADMIN.password });
    expect(noToken.statusCode).toBe(403);
    const wrong = await client.login(ADMIN.email, 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.');
    const member = await client.login(MEMBER.email, MEMBER.password);
    expect(member.statusCode).toBe(401);
    expect(member.body).toContain('관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.');
    expect((await client.get('/admin')).statusCode).toBe(303);
    const refusals = await stack.db.sql.query<{ target: string; detail: { reason: string } }>(
      `select target, detail from admin_audit_log where action = 'login.refused' order by id`,
    );
    expect(refusals.map((row) => [row.target, row.detail.reason])).toEqual([
      [ADMIN.email, 'invalid'],
      [MEMBER.email, 'not-admin'],
    ]);
  });

  it('rate-limits logins per client address', async () => {
    const client = new AdminClient(app, '10.0.0.2');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) statuses.push((await client.login(ADMIN.email, 'wrong-password')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right password waits for the window: the limit is checked before the password.
    expect((await client.login(ADMIN.email, ADMIN.password)).statusCode).toBe(429);
    expect((await new AdminClient(app, '10.0.0.3').login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
  });

  it('signs an admin in with a new session id, back to the page asked for, and out again', async () => {
    const client = new AdminClient(app, '10.0.0.4');
    const planted = 'planted-session-id-planted-session-id';
    client.cookies.set('ainfo_admin_session', planted);
    const response = await client.login(ADMIN.email, ADMIN.password, '/admin/users');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/users');
    expect(client.cookies.get('ainfo_admin_session')).not.toBe(planted);
    const signedIn = client.cookie;
    const dashboard = await client.get('/admin');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('대시보드');
    expect(dashboard.body).toContain('관리자 &lt;김&gt;');
    expect(dashboard.body).toContain('<meta http-equiv="refresh" content="10">');
    for (const queue of ['default', 'mail', 'notices', 'dataload']) expect(dashboard.body).toContain(`data-queue="${queue}"`);
    // The failed-task count is red only when there are failed tasks ("실패한 작업 0" is not an alarm).
    const failedStat = /<div class="stat( failed)?"><div class="label">실패한 작업\(보관 중\)<\/div><div class="value">([\d,]+)</.exec(dashboard.body);
    expect(failedStat).not.toBeNull();
    expect(failedStat?.[1] === ' failed').toBe(failedStat?.[2] !== '0');

    // An open redirect is not possible through `next`.
    const evil = new AdminClient(app, '10.0.0.4');
    expect((await evil.login(ADMIN.email, ADMIN.password, 'https://evil.example/')).headers.location).toBe('/admin');

    const logout = await client.submit('/admin', '/admin/logout');
    expect(logout.statusCode).toBe(303);
    expect((await audited('login'))[0]).toEqual({ target: null, admin_email: ADMIN.email });
    expect((await audited('logout'))[0]).toEqual({ target: null, admin_email: ADMIN.email });
    const replay = await app.inject({ method: 'GET', url: '/admin', headers: { cookie: signedIn }, remoteAddress: '10.0.0.4' });
    expect(replay.statusCode).toBe(303);
  });

  it('ends a session after 2 idle hours (Redis TTL) and 12 hours after login whatever its use', async () => {
    const service = stack.services.admin.sessions;
    const redis = stack.core.broker.connection;
    const result = await service.login({ email: ADMIN.email, password: ADMIN.password, ip: '10.0.0.6' });
    if (!result.ok) throw new Error(`login failed: ${result.reason}`);
    const key = `${stack.prefix}:ainfo:admin:session:${createHash('sha256').update(result.sessionId).digest('hex')}`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(7_000);
    expect(ttl).toBeLessThanOrEqual(7_200);
    expect(await redis.exists(`${stack.prefix}:ainfo:admin:session:${result.sessionId}`)).toBe(0);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 11 * 3_600_000);
      expect(await service.readSession(result.sessionId)).toBeDefined();
      vi.setSystemTime(Date.now() + 2 * 3_600_000);
      expect(await service.readSession(result.sessionId)).toBeUndefined();
      expect(await redis.exists(key)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends the session of an admin who lost the admin right (pages redirect, JSON says 403)', async () => {
    await stack.services.accounts.createSuperuser({ email: 'second@example.com', password: 'Daegu-apple-2026!', name: '두 번째' });
    const client = new AdminClient(app, '10.0.0.5');
    expect((await client.login('second@example.com', 'Daegu-apple-2026!')).statusCode).toBe(303);
    const notice = await stack.services.notifications.createNotice({ title: '권한 확인', content: '내용' }, null);
    expect((await client.get(`/admin/notices/${notice.id}/progress`)).statusCode).toBe(200);
    await stack.db.sql.query(`update users set is_admin = false where email = 'second@example.com'`);
    expect((await client.get('/admin')).statusCode).toBe(303);
    expect((await client.get(`/admin/notices/${notice.id}/progress`)).statusCode).toBe(403);
  });

  describe('signed in', () => {
    const client = (): AdminClient => signedIn;
    let signedIn: AdminClient;

    beforeAll(async () => {
      signedIn = new AdminClient(app, '10.0.0.10');
      expect((await signedIn.login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
    });

    it('refuses every form without the session token and does nothing', async () => {
      const before = (await stack.services.notifications.listNotices(1, 50)).total;
      const forged = await client().post('/admin/notices', { title: '위조', content: '내용', _csrf: 'forged-token' });
      expect(forged.statusCode).toBe(403);
      const missing = await client().post('/admin/notices', { title: '위조', content: '내용' });
      expect(missing.statusCode).toBe(403);
      const other = new AdminClient(app, '10.0.0.11');
      await other.login(ADMIN.email, ADMIN.password);
      const foreign = await client().post('/admin/notices', { title: '위조', content: '내용', _csrf: await other.csrf() });
      expect(foreign.statusCode).toBe(403);
      expect((await stack.services.notifications.listNotices(1, 50)).total).toBe(before);
    });

    it('writes a notice, edits the draft, escapes its title, and locks it once sending is requested', async () => {
      const invalid = await client().submit('/admin/notices/new', '/admin/notices', { title: ' ', content: '' });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.body).toContain('제목을 입력해 주세요.');
      const created = await client().submit('/admin/notices/new', '/admin/notices', { title: '<b>초안</b> & 공지', content: '첫 내용' });
      expect(created.statusCode).toBe(303);
      const location = String(created.headers.location);
      const id = Number(/\/admin\/notices\/(\d+)/.exec(location)?.[1]);
      const page = await client().get(location);
      expect(page.body).toContain('&lt;b&gt;초안&lt;/b&gt; &amp; 공지');
      expect(page.body).not.toContain('<b>초안</b>');
      expect(page.body).toContain('공지를 저장했습니다.');

      const edited = await client().submit(`/admin/notices/${id}/edit`, `/admin/notices/${id}/edit`, { title: '고친 제목', content: '고친 내용' });
      expect(edited.headers.location).toBe(`/admin/notices/${id}?msg=notice-updated`);
      expect((await stack.services.notifications.getNotice(id)).title).toBe('고친 제목');

      const confirm = await client().get(`/admin/notices/${id}/send`);
      expect(confirm.body).toContain('공지를 발송할까요?');
      expect(confirm.body).toContain('30명');
      const unconfirmed = await client().submit(`/admin/notices/${id}/send`, `/admin/notices/${id}/send`);
      expect(unconfirmed.statusCode).toBe(400);
      const sent = await client().submit(`/admin/notices/${id}/send`, `/admin/notices/${id}/send`, { confirm: 'yes' });
      expect(sent.headers.location).toBe(`/admin/notices/${id}?msg=notice-sending`);
      const detail = await stack.services.notifications.getNotice(id);
      expect(detail.sentBy).toBe(ADMIN.name);

      const again = await client().submit(`/admin/notices/${id}`, `/admin/notices/${id}/send`, { confirm: 'yes' });
      expect(again.headers.location).toBe(`/admin/notices/${id}?msg=notice-already`);
      const late = await client().submit(`/admin/notices/${id}`, `/admin/notices/${id}/edit`, { title: '늦은 수정', content: '내용' });
      expect(late.headers.location).toBe(`/admin/notices/${id}?msg=notice-locked`);
      expect((await stack.services.notifications.getNotice(id)).title).toBe('고친 제목');

      for (const action of ['notice.create', 'notice.update', 'notice.send']) {
        expect(await audited(action, `notice:${id}`), action).not.toEqual([]);
      }
      // The second send started nothing, and says so in its record.
      expect(await audited('notice.send', `notice:${id}`)).toHaveLength(2);
      const resumed = await client().submit(`/admin/notices/${id}`, `/admin/notices/${id}/resume`);
      expect(resumed.headers.location).toBe(`/admin/notices/${id}?msg=notice-resumed`);

      const missing = await client().get('/admin/notices/999999');
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('text/html');
      expect(missing.body).toContain('공지 999999번을 찾을 수 없습니다.');

      const progress = await client().get(`/admin/notices/${id}/progress`);
      expect(progress.json()).toMatchObject({ sending: true, done: false });
      const live = await client().get(`/admin/notices/${id}`);
      expect(live.body).toContain(`data-live="/admin/notices/${id}/progress"`);
      expect(live.body).toContain('<script src="/assets/admin.js" defer></script>');
    });

    it('lists users with search, consent and verification filters, paged', async () => {
      const all = await client().get('/admin/users');
      expect(all.body).toContain('조건에 맞는 사용자 50명');
      const receiving = await client().get('/admin/users?consent=true&verified=true');
      expect(receiving.body).toContain('조건에 맞는 사용자 30명');
      const unverified = await client().get('/admin/users?verified=false');
      expect(unverified.body).toContain('조건에 맞는 사용자 5명');
      const search = await client().get('/admin/users?q=no1');
      // no1, no10, no11, no12
      expect(search.body).toContain('조건에 맞는 사용자 4명');
      const wildcard = await client().get(`/admin/users?q=${encodeURIComponent('%')}`);
      expect(wildcard.body).toContain('조건에 맞는 사용자 0명');
      const second = await client().get('/admin/users?page=2');
      expect(second.body).toContain('2 / 1 페이지');
    });

    it('shows the schedules with their next run in Asia/Seoul, runs one now, pauses and resumes it', async () => {
      const page = await client().get('/admin/schedules');
      expect(page.statusCode).toBe(200);
      const id = 'load-gov24-data-every-wednesday-2am';
      expect(page.body).toContain(id);
      expect(page.body).toContain('0 2 * * 3');
      expect(page.body).toContain('Asia/Seoul');

      const paused = await client().submit('/admin/schedules', `/admin/schedules/${id}/pause`);
      expect(paused.headers.location).toBe('/admin/schedules?msg=schedule-paused');
      expect((await client().get('/admin/schedules')).body).toMatch(new RegExp(`data-schedule="${id}"[\\s\\S]*?일시 중지</span>`));
      const resumed = await client().submit('/admin/schedules', `/admin/schedules/${id}/resume`);
      expect(resumed.headers.location).toBe('/admin/schedules?msg=schedule-resumed');
      const withNext = await client().get('/admin/schedules');
      expect(withNext.body).toMatch(new RegExp(`data-schedule="${id}"[\\s\\S]*?\\d{4}-\\d{2}-\\d{2} 02:00:00`));

      const run = await client().submit('/admin/schedules', `/admin/schedules/${id}/run`);
      const taskId = new URL(String(run.headers.location), 'http://x').searchParams.get('task') ?? '';
      expect(taskId).not.toBe('');
      const job = await stack.core.results.get(taskId);
      expect(job.name).toBe('dataload.loadGov24Data');
      const after = await client().get('/admin/schedules');
      expect(after.body).toContain(`/admin/tasks?id=${taskId}`);
      expect(after.body).toContain('(수동)');
      expect((await client().submit('/admin/schedules', '/admin/schedules/no-such-entry/run')).statusCode).toBe(404);
      for (const action of ['schedule.pause', 'schedule.resume', 'schedule.run']) expect(await audited(action, `schedule:${id}`), action).not.toEqual([]);
      expect(await stack.core.results.revoke(taskId, 'test cleanup')).toBe(true);
    });

    it('finds a task by id and retries a failed one', async () => {
      const ref = await stack.core.broker.enqueue(alwaysFails, { reason: '테스트 실패 <b>이유</b>' });
      await waitUntil(async () => (await stack.core.results.get(ref.id)).state === 'FAILURE', 10_000, 'task failed');
      const page = await client().get(`/admin/tasks?id=${ref.id}`);
      expect(page.body).toContain('admintest.alwaysFails');
      expect(page.body).toContain('테스트 실패 &lt;b&gt;이유&lt;/b&gt;');
      expect(page.body).toContain('다시 실행');
      const retried = await client().submit(`/admin/tasks?id=${ref.id}`, `/admin/tasks/${ref.id}/retry`);
      expect(retried.headers.location).toBe(`/admin/tasks?id=${ref.id}&msg=task-retried`);
      await waitUntil(async () => (await stack.core.results.get(ref.id)).attempts >= 2, 10_000, 'task ran again');
      const unknown = await client().get('/admin/tasks?id=no-such-task');
      expect(unknown.body).toContain('PENDING');
      const notFailed = await client().submit('/admin/tasks', '/admin/tasks/no-such-task/retry');
      expect(notFailed.headers.location).toBe('/admin/tasks?id=no-such-task&msg=task-missing');
      expect(await audited('task.retry', `task:${ref.id}`)).toHaveLength(1);
    });

    it('shows the public data runs per source and queues a collection', async () => {
      const page = await client().get('/admin/dataload');
      expect(page.statusCode).toBe(200);
      for (const source of ['gov24', 'youth', 'work24']) expect(page.body).toContain(`data-source="${source}"`);
      const started = await client().submit('/admin/dataload', '/admin/dataload/youth/run');
      const taskId = new URL(String(started.headers.location), 'http://x').searchParams.get('task') ?? '';
      const queued = await stack.core.results.get(taskId);
      expect(queued.name).toBe('dataload.loadYouthPolicyData');
      // No API key here: the payload says the run will use the sample peer, as the run will record.
      expect(queued.payload).toEqual({ sample: true });
      expect(await stack.core.results.revoke(taskId, 'test cleanup')).toBe(true);
      expect((await audited('dataload.run', 'source:youth'))[0]).toEqual({ target: 'source:youth', admin_email: ADMIN.email });
    });

    it('serves bull-board behind the session, and refuses its changes from another origin', async () => {
      const board = await client().get('/admin/queues');
      expect(board.statusCode).toBe(200);
      expect(String(board.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(board.body).not.toMatch(/https?:\/\//);
      expect(board.body).toContain('ko-KR');
      const api = await client().get('/admin/queues/api/queues?activeQueue=default&page=1');
      expect(api.statusCode).toBe(200);
      expect(api.json<{ queues: { name: string }[] }>().queues.map((queue) => queue.name).sort()).toEqual(['dataload', 'default', 'mail', 'notices']);
      const foreign = await app.inject({
        method: 'PUT',
        url: '/admin/queues/api/queues/default/retry/failed',
        remoteAddress: '10.0.0.10',
        headers: { cookie: client().cookie, origin: 'https://evil.example' },
      });
      expect(foreign.statusCode).toBe(403);
      const retryAll = await app.inject({
        method: 'PUT',
        url: '/admin/queues/api/queues/default/retry/failed',
        remoteAddress: '10.0.0.10',
        headers: { cookie: client().cookie },
      });
      expect(retryAll.statusCode).toBe(200);
      const [audited] = await stack.db.sql.query<{ target: string; admin_email: string }>(
        `select target, admin_email from admin_audit_log where action = 'queues.action' order by id desc limit 1`,
      );
      expect(audited).toEqual({ target: 'PUT /admin/queues/api/queues/default/retry/failed', admin_email: ADMIN.email });
    });

    it('opens the dev mailbox (SMTP_URL unset) with the same session, under the strict CSP', async () => {
      const page = await client().get('/admin/mailbox');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('개발용 메일함');
      expect(page.body).toContain('aria-current="page">메일함');
      expect(String(page.headers['content-security-policy'])).toContain("style-src 'self'");
    });

    it('lists the actions with who and when on the audit page, filtered by action', async () => {
      const created = await client().submit('/admin/notices/new', '/admin/notices', { title: '감사 기록 확인', content: '내용' });
      const id = /\/admin\/notices\/(\d+)/.exec(String(created.headers.location))?.[1] ?? '';
      const page = await client().get('/admin/audit');
      expect(page.statusCode).toBe(200);
      for (const action of ['login', 'notice.create']) expect(page.body, action).toContain(`<span class="muted mono">${action}</span>`);
      expect(page.body).toContain(`notice:${id}`);
      expect(page.body).toContain(ADMIN.email);
      const creates = (await audited('notice.create')).length;
      const onlyCreates = await client().get('/admin/audit?action=notice.create');
      expect(onlyCreates.body).toContain(`전체 ${creates}건`);
      expect(onlyCreates.body).not.toContain('<span class="muted mono">login</span>');
    });
  });
});
