import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { createNotifications, DeliveryBusyError } from '../../src/modules/notifications/index.ts';
import { NotificationsRepository } from '../../src/modules/notifications/notifications.repository.ts';
import type { ReceivedMail, TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { deliverWithRetry, NOTICE_TASKS, seedUsers, waitUntil } from './notices.fixtures.ts';

const PUBLIC_URL = 'https://ainfo.example';
const RECIPIENTS = 30;

interface Counts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
  pendingWithError: number;
}
interface Detail {
  id: number;
  deliveries: Counts;
  failures: { email: string; reply: string }[];
  stalled: boolean;
}

describe('notice deliveries when SMTP refuses or is down, resume and unsubscribe', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;
  let app: App;
  let adminToken = '';

  const headers = (): Record<string, string> => ({ authorization: `Bearer ${adminToken}` });

  const createNotice = async (title: string): Promise<number> => {
    const response = await app.inject({ method: 'POST', url: '/api/admin/notices', headers: headers(), payload: { title, content: `${title} 내용` } });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: number }>().id;
  };
  const send = async (id: number): Promise<void> => {
    const response = await app.inject({ method: 'POST', url: `/api/admin/notices/${id}/send`, headers: headers() });
    expect(response.statusCode).toBe(202);
  };
  const detail = async (id: number): Promise<Detail> =>
    (await app.inject({ method: 'GET', url: `/api/admin/notices/${id}`, headers: headers() })).json<Detail>();
  const mailsOf = (noticeId: number): ReceivedMail[] =>
    smtp.messages.filter((mail) => mail.messageId.startsWith(`<notice-${noticeId}.`));
  const recipientsOf = (noticeId: number): string[] => mailsOf(noticeId).map((mail) => mail.to.join(','));
  const tokenOf = (mail: ReceivedMail | undefined): string => /token=([0-9a-f-]{36})/.exec(mail?.text ?? '')?.[1] ?? '';
  const consentOf = async (email: string): Promise<boolean | undefined> =>
    (await stack.db.sql.query<{ notice_consent: boolean }>('select notice_consent from users where email = $1', [email]))[0]
      ?.notice_consent;

  beforeAll(async () => {
    stack = await startStack({
      label: 'notice_faults',
      database: 'postgres',
      smtp: true,
      env: { PUBLIC_URL, MAIL_RATE_PER_SECOND: '0' },
      // 8 runs from 100 ms: a 2-3 s outage is ridden out by retries alone.
      tuning: { notifications: { deliverTask: deliverWithRetry({ attempts: 8, backoffMs: 100 }) } },
      app: true,
      worker: { queues: ['notices', 'mail'], tasks: NOTICE_TASKS, concurrency: 8 },
    });
    if (!stack.app || !stack.smtp) throw new Error('incomplete stack');
    ({ app, smtp } = stack);
    const { accounts } = stack.services;
    await accounts.createSuperuser({ email: 'ops@example.com', password: 'Jeju-tangerine-77!', name: '운영자' });
    adminToken = (await accounts.login('ops@example.com', 'Jeju-tangerine-77!', '127.0.0.1')).accessToken;
    await seedUsers(stack.db.sql, 'f', RECIPIENTS, { consent: true, verified: true });
  });

  afterAll(() => stack.stop());

  it('marks deliveries refused with 550 as failed with the reply, without retrying, and sends the rest', async () => {
    const refused = ['f3@example.com', 'f7@example.com', 'f11@example.com'];
    smtp.rejectRecipients(refused, 550, '5.1.1 Mailbox unavailable');
    const id = await createNotice('거절 주소 포함 공지');
    await send(id);
    await waitUntil(async () => { const { deliveries } = await detail(id); return deliveries.total === RECIPIENTS && deliveries.pending === 0; }, 20_000, 'no pending deliveries');

    const result = await detail(id);
    expect(result.deliveries).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS - 3, failed: 3, pending: 0 });
    expect(result.failures.map((failure) => failure.email).sort()).toEqual([...refused].sort());
    expect(result.failures.every((failure) => /^550 5\.1\.1 Mailbox unavailable/.test(failure.reply))).toBe(true);
    expect(recipientsOf(id)).toHaveLength(RECIPIENTS - 3);
    expect(recipientsOf(id).some((to) => refused.includes(to))).toBe(false);

    // The 30 deliveries are one chunk task (ids first to last): failed at once for the refusals, not retried.
    const [range] = await stack.db.sql.query<{ first: string; last: string }>(
      `select min(id)::text as first, max(id)::text as last from notice_deliveries where notice_id = $1`,
      [id],
    );
    const task = await stack.core.results.get(`notifications.deliverNotice-${range?.first ?? ''}-${range?.last ?? ''}`);
    expect(task).toMatchObject({ state: 'FAILURE', attempts: 1 });
    expect(task.error).toMatch(/3 of deliveries .* refused \(27 sent\): .*550/);
    smtp.reset();
  });

  it('delivers every mail after an SMTP outage shorter than the retries, once each', async () => {
    await smtp.stop();
    const id = await createNotice('장애 중 공지');
    await send(id);
    await waitUntil(async () => (await detail(id)).deliveries.pendingWithError === RECIPIENTS, 20_000, 'every delivery failed once');
    expect(recipientsOf(id)).toHaveLength(0);
    await smtp.start();

    await waitUntil(async () => (await detail(id)).deliveries.sent === RECIPIENTS, 30_000, 'all sent after SMTP returned');
    expect(recipientsOf(id)).toHaveLength(RECIPIENTS);
    expect(new Set(recipientsOf(id)).size).toBe(RECIPIENTS);
  });

  it('leaves deliveries pending when the outage outlasts the retries, and resume sends only those', async () => {
    // Deliveries with 2 runs 50 ms apart: they give up while SMTP is still down.
    const { config, log, broker } = stack.core;
    const impatient = createNotifications({
      db: stack.db,
      producer: broker,
      mailer: stack.services.mailer,
      accounts: stack.services.accounts,
      config,
      log,
      tuning: { deliverTask: deliverWithRetry({ attempts: 2, backoffMs: 50 }) },
    });
    const id = await createNotice('재개 테스트 공지');
    await smtp.stop();
    await impatient.broadcast(id, '운영자');
    await waitUntil(
      async () => {
        const rows = await stack.db.sql.query<{ n: number }>(
          `select count(*)::int as n from notice_deliveries where notice_id = $1 and transient_failures >= 2`,
          [id],
        );
        return rows[0]?.n === RECIPIENTS;
      },
      20_000,
      'retries exhausted',
    );
    await waitUntil(async () => {
      const counts = await broker.queue('mail').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    }, 10_000, 'the failed deliveries left the queue');
    await smtp.start();
    expect((await detail(id)).deliveries).toMatchObject({ pending: RECIPIENTS, pendingWithError: RECIPIENTS, sent: 0 });
    expect(recipientsOf(id)).toHaveLength(0);
    // Just after the send the deliveries may still be moving: no resume offered yet. Two minutes
    // on with nothing sent, failed or leased, they have stalled (the clock moved by moving the send back).
    expect((await detail(id)).stalled).toBe(false);
    await stack.db.sql.query(`update notices set sent_at = now() - interval '10 minutes' where id = $1`, [id]);
    expect((await detail(id)).stalled).toBe(true);

    // Mark a few as sent by hand: resume must not send them again.
    await stack.db.sql.query(
      `update notice_deliveries set status = 'sent', sent_at = now() where id in (
         select id from notice_deliveries where notice_id = $1 order by id limit 5)`,
      [id],
    );
    const resumed = await app.inject({ method: 'POST', url: `/api/admin/notices/${id}/resume`, headers: headers() });
    expect(resumed.statusCode).toBe(202);
    const { taskId, round } = resumed.json<{ taskId: string; round: number }>();
    expect(round).toBe(1);
    expect((await stack.core.results.wait(taskId, { timeoutMs: 10_000 })).result).toMatchObject({ enqueued: RECIPIENTS - 5 });
    await waitUntil(async () => (await detail(id)).deliveries.sent === RECIPIENTS, 20_000, 'resumed deliveries sent');
    expect((await detail(id)).stalled).toBe(false);
    expect(recipientsOf(id)).toHaveLength(RECIPIENTS - 5);
    expect(new Set(recipientsOf(id)).size).toBe(RECIPIENTS - 5);

    const again = await app.inject({ method: 'POST', url: `/api/admin/notices/${id}/resume`, headers: headers() });
    const second = again.json<{ taskId: string; round: number }>();
    expect(second.round).toBe(2);
    expect((await stack.core.results.wait(second.taskId, { timeoutMs: 10_000 })).result).toMatchObject({ enqueued: 0 });
  });

  it('unsubscribes with the one-click POST and the confirmation page, without login; the next notice skips them', async () => {
    const consenting = async (): Promise<number> =>
      Number((await stack.db.sql.query<{ n: string }>('select count(*) as n from users where notice_consent and email_verified_at is not null'))[0]?.n);
    const receiving = await consenting();
    // A notice delivered to everyone: its mails carry the unsubscribe tokens used below.
    const delivered = await createNotice('수신 거부 전 공지');
    await send(delivered);
    await waitUntil(async () => (await detail(delivered)).deliveries.sent === receiving, 20_000, 'the first notice sent');
    const mails = mailsOf(delivered);
    const oneClick = mails.find((mail) => mail.to.includes('f5@example.com'));
    const viaPage = mails.find((mail) => mail.to.includes('f6@example.com'));
    const viaJson = mails.find((mail) => mail.to.includes('f8@example.com'));

    // RFC 8058: a form POST of List-Unsubscribe=One-Click to the List-Unsubscribe URL, no cookies.
    const list = oneClick?.headers.get('list') as { unsubscribe?: { url?: string } } | undefined;
    const url = new URL(list?.unsubscribe?.url ?? 'https://invalid.example/');
    expect(url.origin).toBe(PUBLIC_URL);
    const clicked = await app.inject({
      method: 'POST',
      url: url.pathname + url.search,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.statusCode).toBe(200);
    expect(clicked.json()).toEqual({ unsubscribed: true });
    expect(await consentOf('f5@example.com')).toBe(false);
    // Repeating it is harmless.
    const repeated = await app.inject({ method: 'POST', url: url.pathname + url.search, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' });
    expect(repeated.statusCode).toBe(200);

    const pageToken = tokenOf(viaPage);
    const page = await app.inject({ method: 'GET', url: `/notices/unsubscribe?token=${pageToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).toContain('수신 거부');
    expect(page.body).toContain(`<form method="post" action="/notices/unsubscribe">`);
    expect(page.body).toContain(`name="token" value="${pageToken}"`);
    expect(page.body).not.toMatch(/<script|onclick|javascript:/i);
    expect(page.body).not.toContain('f6@example.com');
    expect(await consentOf('f6@example.com')).toBe(true);
    const confirmed = await app.inject({
      method: 'POST',
      url: '/notices/unsubscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${pageToken}`,
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('수신 거부가 완료되었습니다');
    expect(await consentOf('f6@example.com')).toBe(false);

    const json = await app.inject({ method: 'POST', url: '/api/notices/unsubscribe', payload: { token: tokenOf(viaJson) } });
    expect(json.statusCode).toBe(200);
    expect(await consentOf('f8@example.com')).toBe(false);

    const forged = await app.inject({ method: 'POST', url: '/api/notices/unsubscribe?token=00000000-0000-4000-8000-000000000000' });
    expect(forged.statusCode, forged.body).toBe(404);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe('INVALID_UNSUBSCRIBE_TOKEN');
    expect((await app.inject({ method: 'POST', url: '/api/notices/unsubscribe', payload: {} })).statusCode).toBe(400);
    const badPage = await app.inject({ method: 'GET', url: '/notices/unsubscribe?token=not-a-token' });
    expect(badPage.statusCode).toBe(404);
    expect(badPage.body).toContain('링크를 확인할 수 없습니다');

    const next = await createNotice('수신 거부 이후 공지');
    await send(next);
    expect(await consenting()).toBe(receiving - 3);
    await waitUntil(async () => (await detail(next)).deliveries.sent === receiving - 3, 20_000, 'next notice sent');
    expect((await detail(next)).deliveries.total).toBe(receiving - 3);
    const recipients = recipientsOf(next);
    expect(recipients).toHaveLength(receiving - 3);
    for (const gone of ['f5@example.com', 'f6@example.com', 'f8@example.com']) expect(recipients).not.toContain(gone);
  });

  it('skips a recipient who unsubscribed after the snapshot, and never sends one delivery from two runs at once', async () => {
    const repository = new NotificationsRepository(stack.db);
    const service = stack.services.notifications;
    const id = await createNotice('스냅샷 이후 수신 거부');
    // Rows only, no tasks: this test runs the deliveries itself.
    await repository.snapshotRecipients(id);
    const ids = await repository.pendingDeliveryIds(id, 0, 10);
    const [first, second] = ids;
    if (first === undefined || second === undefined) throw new Error('expected deliveries');
    const [owner] = await stack.db.sql.query<{ email: string }>('select email from notice_deliveries where id = $1', [first]);
    await stack.db.sql.query('update users set notice_consent = false where email = $1', [owner?.email]);
    expect(await service.deliver(first, 'test-run-a')).toMatchObject({ status: 'skipped' });
    expect(mailsOf(id)).toHaveLength(0);

    expect(await repository.claimDelivery(second, 'test-run-a', 60_000)).toMatchObject({ kind: 'claimed' });
    await expect(service.deliver(second, 'test-run-b')).rejects.toBeInstanceOf(DeliveryBusyError);
    expect(await service.deliver(second, 'test-run-a')).toMatchObject({ status: 'sent' });
    expect(await service.deliver(second, 'test-run-b')).toEqual({ status: 'already-sent' });
    expect(mailsOf(id)).toHaveLength(1);
  });
});
