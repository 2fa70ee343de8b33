import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { deliverWithRetry, NOTICE_TASKS, seedUsers, waitUntil } from './notices.fixtures.ts';

const PUBLIC_URL = 'https://ainfo.example';
const CONSENTING = 1_000;

interface NoticeBody {
  id: number;
  sentBy: string | null;
  deliveries: { total: number; pending: number; sent: number; failed: number; skipped: number };
}

describe('notice broadcast to every consenting user (real PostgreSQL, Redis, SMTP)', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;
  let app: App;
  let adminToken = '';
  let userToken = '';

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const postNotice = (payload: { title: string; content: string }) =>
    app.inject({ method: 'POST', url: '/api/admin/notices', headers: auth(adminToken), payload });

  beforeAll(async () => {
    stack = await startStack({
      label: 'notices',
      database: 'postgres',
      smtp: true,
      env: { PUBLIC_URL, MAIL_RATE_PER_SECOND: '0' },
      // Pages of 64: the 1,000 recipients are enqueued in 16 keyset pages, several in flight.
      tuning: { notifications: { deliverTask: deliverWithRetry({ attempts: 5, backoffMs: 100 }), fanOutPageSize: 64 } },
      app: true,
      worker: { queues: ['notices', 'mail'], tasks: NOTICE_TASKS, concurrency: 8 },
    });
    if (!stack.app || !stack.smtp) throw new Error('incomplete stack');
    ({ app, smtp } = stack);
    const { accounts } = stack.services;

    await accounts.createSuperuser({ email: 'admin@example.com', password: 'Seoul-notice-2026!', name: '관리자 김' });
    await accounts.createSuperuser({ email: 'member@example.com', password: 'Busan-seagull-2026!', name: '회원' });
    await stack.db.sql.query(`update users set is_admin = false where email = 'member@example.com'`);
    adminToken = (await accounts.login('admin@example.com', 'Seoul-notice-2026!', '127.0.0.1')).accessToken;
    userToken = (await accounts.login('member@example.com', 'Busan-seagull-2026!', '127.0.0.1')).accessToken;

    await seedUsers(stack.db.sql, 'yes', CONSENTING, { consent: true, verified: true });
    await seedUsers(stack.db.sql, 'no', 200, { consent: false, verified: true });
    await seedUsers(stack.db.sql, 'unverified', 100, { consent: true, verified: false });
  });

  afterAll(() => stack.stop());

  it('refuses every admin route without a token (401) and for a non-admin (403)', async () => {
    const routes = [
      { method: 'POST' as const, url: '/api/admin/notices', payload: { title: 't', content: 'c' } },
      { method: 'GET' as const, url: '/api/admin/notices' },
      { method: 'GET' as const, url: '/api/admin/notices/1' },
      { method: 'POST' as const, url: '/api/admin/notices/1/send' },
      { method: 'POST' as const, url: '/api/admin/notices/1/resume' },
      { method: 'GET' as const, url: '/api/admin/users' },
    ];
    for (const route of routes) {
      expect((await app.inject(route)).statusCode, `${route.method} ${route.url} anonymous`).toBe(401);
      expect((await app.inject({ ...route, headers: auth(userToken) })).statusCode, `${route.method} ${route.url} member`).toBe(403);
    }
  });

  it('rejects a notice without a title with 400 naming the field', async () => {
    const response = await postNotice({ title: '  ', content: '내용' });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field)).toContain('title');
  });

  it('lists users paged and filtered by consent and verification', async () => {
    const receiving = await app.inject({
      method: 'GET',
      url: '/api/admin/users?consent=true&verified=true&page=2&pageSize=50',
      headers: auth(adminToken),
    });
    expect(receiving.statusCode).toBe(200);
    const body = receiving.json<{ total: number; items: { email: string; noticeConsent: boolean; emailVerified: boolean }[] }>();
    expect(body.total).toBe(CONSENTING);
    expect(body.items).toHaveLength(50);
    expect(body.items.every((user) => user.noticeConsent && user.emailVerified)).toBe(true);
    const unverified = await app.inject({ method: 'GET', url: '/api/admin/users?verified=false', headers: auth(adminToken) });
    expect(unverified.json<{ total: number }>().total).toBe(100);
    const refusing = await app.inject({ method: 'GET', url: '/api/admin/users?consent=false', headers: auth(adminToken) });
    // 200 refusing users plus the two accounts made by createSuperuser (no consent given).
    expect(refusing.json<{ total: number }>().total).toBe(202);
    const bad = await app.inject({ method: 'GET', url: '/api/admin/users?consent=maybe', headers: auth(adminToken) });
    expect(bad.statusCode).toBe(400);
    // Case-insensitive search by address or name: unverified1, unverified10-19 and unverified100.
    const searched = await app.inject({ method: 'GET', url: '/api/admin/users?q=UNVERIFIED1&pageSize=50', headers: auth(adminToken) });
    const found = searched.json<{ total: number; items: { id: number; email: string }[] }>();
    expect(found.total).toBe(12);
    expect(found.items.map((user) => user.id)).toEqual([...found.items.map((user) => user.id)].sort((a, b) => b - a));
    const literal = await app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent('%')}`, headers: auth(adminToken) });
    expect(literal.json<{ total: number }>().total).toBe(0);
  });

  describe('a notice sent to every consenting user, its send clicked twice at once', () => {
    let notice: NoticeBody;
    let clicks: { statusCode: number; body: { taskId: string; alreadyRequested: boolean } }[];
    let elapsedMs = 0;
    const detail = async (): Promise<NoticeBody> =>
      (await app.inject({ method: 'GET', url: `/api/admin/notices/${notice.id}`, headers: auth(adminToken) })).json<NoticeBody>();

    // The send is the scenario; each test below checks one side of what it did.
    beforeAll(async () => {
      const created = await postNotice({ title: '<b>8월</b> 청년 정책 & "안내"', content: '# 새 소식\n\n**신청 기간**을 확인하세요. <script>alert(1)</script>\n\n- [자세히](https://example.org/a?b=1&c=2)' });
      expect(created.statusCode).toBe(201);
      notice = created.json<NoticeBody>();
      expect(notice.sentBy).toBeNull();
      const started = Date.now();
      const responses = await Promise.all(
        [1, 2].map(() => app.inject({ method: 'POST', url: `/api/admin/notices/${notice.id}/send`, headers: auth(adminToken) })),
      );
      clicks = responses.map((response) => ({ statusCode: response.statusCode, body: response.json<{ taskId: string; alreadyRequested: boolean }>() }));
      await smtp.waitFor((messages) => messages.length >= CONSENTING, 60_000);
      elapsedMs = Date.now() - started;
      await waitUntil(async () => (await detail()).deliveries.sent === CONSENTING, 10_000, 'all deliveries marked sent');
      await waitUntil(async () => {
        const counts = await stack.core.broker.queue('mail').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0);
      }, 10_000, 'no delivery left to run');
    });

    it('starts one broadcast for both clicks, and nothing for a third after it finished', async () => {
      expect(clicks.map((click) => click.statusCode)).toEqual([202, 202]);
      const [first, second] = clicks.map((click) => click.body);
      expect(second?.taskId).toBe(first?.taskId);
      expect([first?.alreadyRequested, second?.alreadyRequested].sort()).toEqual([false, true]);
      const broadcast = await stack.core.results.wait(first?.taskId ?? '', { timeoutMs: 30_000 });
      expect(broadcast).toMatchObject({ state: 'SUCCESS', result: { snapshotInserted: CONSENTING, enqueued: CONSENTING } });
      const late = await app.inject({ method: 'POST', url: `/api/admin/notices/${notice.id}/send`, headers: auth(adminToken) });
      expect(late.statusCode).toBe(202);
      expect(late.json<{ taskId: string; alreadyRequested: boolean }>()).toEqual({ taskId: first?.taskId, alreadyRequested: true });
    });

    it('sends exactly one mail to each consenting, verified user', async () => {
      const mails = smtp.messages.filter((message) => message.messageId.startsWith(`<notice-${notice.id}.`));
      const recipients = mails.map((message) => message.to.join(','));
      expect(mails).toHaveLength(CONSENTING);
      expect(new Set(recipients).size).toBe(CONSENTING);
      expect(recipients.every((to) => /^yes\d+@example\.com$/.test(to))).toBe(true);
      const final = await detail();
      expect(final.deliveries).toMatchObject({ total: CONSENTING, pending: 0, sent: CONSENTING, failed: 0, skipped: 0 });
      expect(final.sentBy).toBe('관리자 김');
      console.info(`[notices] ${CONSENTING} mails delivered in ${elapsedMs} ms (in-process worker, concurrency 8)`);
    });

    it('puts the unsubscribe link and one-click headers in every mail, links on PUBLIC_URL, HTML escaped', () => {
      const mails = smtp.messages.filter((message) => message.messageId.startsWith(`<notice-${notice.id}.`));
      const mail = mails[0];
      if (!mail) throw new Error('no mail received');
      expect(mail.subject).toBe('[AInfo 공지] <b>8월</b> 청년 정책 & "안내"');
      expect(mail.html).toContain('&lt;b&gt;8월&lt;/b&gt; 청년 정책 &amp; &quot;안내&quot;');
      expect(mail.html).not.toContain('<b>8월</b>');
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail.html).toContain('<strong>신청 기간</strong>');
      expect(mail.html).toContain('<a href="https://example.org/a?b=1&amp;c=2">자세히</a>');
      expect(mail.html).toMatch(/<a href="https:\/\/ainfo\.example\/notices\/unsubscribe\?token=[0-9a-f-]{36}">수신 거부<\/a>/);
      expect(mail.text).toMatch(/https:\/\/ainfo\.example\/notices\/unsubscribe\?token=[0-9a-f-]{36}/);
      const list = mail.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } };
      expect(list.unsubscribe?.url).toMatch(/^https:\/\/ainfo\.example\/api\/notices\/unsubscribe\?token=[0-9a-f-]{36}$/);
      expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
      expect(mail.messageId).toMatch(/^<notice-\d+\.delivery-\d+@ainfo\.example>$/);
      expect(new Set(mails.map((message) => message.messageId)).size).toBe(CONSENTING);
    });

    it('lists notices newest first with their delivery counts', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/admin/notices?page=1&pageSize=10', headers: auth(adminToken) });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ total: number; items: (NoticeBody & { createdAt: string })[] }>();
      expect(body.total).toBeGreaterThanOrEqual(1);
      const created = body.items.map((item) => item.createdAt);
      expect(created).toEqual([...created].sort().reverse());
      expect(body.items.find((item) => item.id === notice.id)?.deliveries).toMatchObject({ total: CONSENTING, sent: CONSENTING });
    });
  });

  it('documents the notice routes in the OpenAPI document', async () => {
    const response = await app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json<{ paths: Record<string, unknown> }>().paths);
    for (const route of ['/api/admin/notices', '/api/admin/notices/{id}/send', '/api/admin/users', '/api/notices/unsubscribe']) {
      expect(paths).toContain(route);
    }
  });

  it('answers 404 for an unknown notice and 409 when resuming a notice never sent', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/admin/notices/999999', headers: auth(adminToken) });
    expect(missing.statusCode).toBe(404);
    const draft = await postNotice({ title: '초안', content: '아직 보내지 않음' });
    const resume = await app.inject({
      method: 'POST',
      url: `/api/admin/notices/${draft.json<NoticeBody>().id}/resume`,
      headers: auth(adminToken),
    });
    expect(resume.statusCode).toBe(409);
  });
});
