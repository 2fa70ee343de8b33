import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_PARALLELISM, type NotificationsService } from '../../src/modules/notifications/index.ts';
import { spawnAinfo, type Child } from '../helpers/processes.ts';
import type { ReceivedMail, TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { seedUsers, waitUntil } from './notices.fixtures.ts';

const PUBLIC_URL = 'https://ainfo.example';
const KILL_RECIPIENTS = 1_000;
const KILL_CONCURRENCY = 4;
/** Mails accepted and not yet marked sent when the worker dies: at most one per slot of each running chunk task. */
const DUPLICATE_BOUND = KILL_CONCURRENCY * DELIVERY_PARALLELISM;
const RATE_RECIPIENTS = 80;
const RATE_PER_SECOND = 20;

describe('notice broadcast on real worker processes (`ainfo worker`)', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;
  let notifications: NotificationsService;
  const children: Child[] = [];
  const admin = { id: 0, name: '관리자' };

  const startWorker = async (env: Record<string, string>, concurrency: number): Promise<Child> => {
    const child = spawnAinfo(
      ['worker', '--queues', 'mail,notices', '--concurrency', String(concurrency)],
      stack.childEnv({ TASK_LOCK_MS: '2000', NOTICE_DELIVERY_LEASE_MS: '4000', SHUTDOWN_GRACE_MS: '5000', LOG_LEVEL: 'info', ...env }),
    );
    children.push(child);
    await child.waitFor('worker ready', 30_000);
    return child;
  };

  /** The ids of the tasks a worker logged as succeeded (its JSON log lines at LOG_LEVEL info). */
  const succeededIn = (worker: Child): string[] =>
    worker
      .output()
      .split('\n')
      // The last piece is a line still being written, if any.
      .slice(0, -1)
      .filter((line) => line.includes('"task succeeded"'))
      .map((line) => (JSON.parse(line) as { taskId?: string }).taskId ?? '');

  const mailsOf = (noticeId: number): ReceivedMail[] =>
    smtp.messages.filter((mail) => mail.messageId.startsWith(`<notice-${noticeId}.`));

  beforeAll(async () => {
    // The workers are `ainfo worker` processes; this process only requests the sends.
    stack = await startStack({ label: 'notice_procs', database: 'postgres', smtp: true, env: { PUBLIC_URL } });
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
    notifications = stack.services.notifications;
    const [row] = await stack.db.sql.query<{ id: string }>(
      `insert into users (email, name, password_hash, is_admin, email_verified_at)
       values ('boss@example.com', '관리자', 'x', true, now()) returning id::text as id`,
    );
    admin.id = Number(row?.id);
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await stack.stop();
  });

  it('delivers to every recipient when a worker is SIGKILLed mid-broadcast and another takes over; duplicates at most one per sending slot', async () => {
    await seedUsers(stack.db.sql, 'k', KILL_RECIPIENTS, { consent: true, verified: true });
    // A slow server keeps mails in flight, so the kill lands in the middle of SMTP conversations.
    smtp.delayMs = 5;
    const first = await startWorker({ MAIL_RATE_PER_SECOND: '0' }, KILL_CONCURRENCY);
    const notice = await notifications.createNotice({ title: '중단 복구 공지', content: '작업자가 죽어도 모두 받습니다.' }, admin.id);
    await notifications.requestSend(notice.id, admin);

    await smtp.waitFor(() => mailsOf(notice.id).length >= 300, 60_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atKill = mailsOf(notice.id).length;
    const beforeRestart = await notifications.getNotice(notice.id);
    expect(beforeRestart.deliveries.sent).toBeLessThan(KILL_RECIPIENTS);

    const second = await startWorker({ MAIL_RATE_PER_SECOND: '0' }, KILL_CONCURRENCY);
    await waitUntil(
      async () => (await notifications.getNotice(notice.id)).deliveries.sent === KILL_RECIPIENTS,
      60_000,
      'every delivery sent after the restart',
    );
    // Tasks of the killed worker come back once their lock expires and run again: wait until no
    // task is left anywhere in the queues, so every duplicate they cause is counted.
    await waitUntil(async () => {
      const counts = await Promise.all(
        (['mail', 'notices'] as const).map((queue) => stack.core.broker.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
      );
      return counts.every((byState) => Object.values(byState).every((count) => count === 0));
    }, 30_000, 'the killed worker\'s tasks ran again');

    const mails = mailsOf(notice.id);
    const byRecipient = new Map<string, ReceivedMail[]>();
    for (const mail of mails) {
      const to = mail.to.join(',');
      byRecipient.set(to, [...(byRecipient.get(to) ?? []), mail]);
    }
    const duplicates = mails.length - byRecipient.size;
    console.info(
      `[notices] SIGKILL after ${atKill} of ${KILL_RECIPIENTS} mails: ${byRecipient.size} recipients reached, ` +
        `${mails.length} mails, ${duplicates} duplicate(s) (bound: ${KILL_CONCURRENCY} tasks × ${DELIVERY_PARALLELISM} slots = ${DUPLICATE_BOUND})`,
    );
    expect(byRecipient.size).toBe(KILL_RECIPIENTS);
    expect(duplicates).toBeLessThanOrEqual(DUPLICATE_BOUND);
    // A duplicate carries the same Message-ID as the first copy, so a receiver can drop it.
    for (const copies of byRecipient.values()) expect(new Set(copies.map((mail) => mail.messageId)).size).toBe(1);
    expect((await notifications.getNotice(notice.id)).deliveries).toMatchObject({ total: KILL_RECIPIENTS, pending: 0, failed: 0 });

    smtp.delayMs = 0;
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('holds MAIL_RATE_PER_SECOND across two worker processes (measured at the SMTP server)', async () => {
    await stack.db.sql.query('update users set notice_consent = false');
    const env = { MAIL_RATE_PER_SECOND: String(RATE_PER_SECOND) };
    const rateWorkers = await Promise.all([startWorker(env, 8), startWorker(env, 8)]);
    // Warm-up: open the workers' SMTP and database connections, so the first measured window is
    // not slower than the others; then let the limiter's window pass.
    await seedUsers(stack.db.sql, 'w', 16, { consent: true, verified: true });
    const warmUp = await notifications.createNotice({ title: '준비 공지', content: '연결 준비' }, admin.id);
    await notifications.requestSend(warmUp.id, admin);
    await smtp.waitFor(() => mailsOf(warmUp.id).length >= 16, 30_000);
    await stack.db.sql.query('update users set notice_consent = false');
    await seedUsers(stack.db.sql, 'r', RATE_RECIPIENTS, { consent: true, verified: true });
    // The limiter counts fixed one-second windows: start the measured send in a fresh one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const notice = await notifications.createNotice({ title: '속도 제한 공지', content: '천천히 보냅니다.' }, admin.id);
    const sentAt = Date.now();
    await notifications.requestSend(notice.id, admin);
    await smtp.waitFor(() => mailsOf(notice.id).length >= RATE_RECIPIENTS, 30_000);

    const times = mailsOf(notice.id).map((mail) => mail.receivedAt).sort((a, b) => a - b);
    const firstAt = times[0] ?? 0;
    const elapsedMs = (times[times.length - 1] ?? 0) - firstAt;
    const perSecond = Array.from({ length: Math.floor(elapsedMs / 1_000) + 1 }, () => 0);
    for (const at of times) {
      const bucket = Math.floor((at - firstAt) / 1_000);
      perSecond[bucket] = (perSecond[bucket] ?? 0) + 1;
    }
    const completed = await stack.core.broker.queue('mail').getJobs(['completed'], 0, -1);
    const deliveries = new Set(
      completed.filter((job) => job.name === 'notifications.deliverNotice' && job.timestamp >= sentAt).map((job) => job.id),
    );
    // Which workers ran this send's deliveries: each logs its tasks' successes (the job itself does
    // not record its worker).
    const workers = rateWorkers.filter((worker) => succeededIn(worker).some((taskId) => deliveries.has(taskId)));
    // The limiter admits RATE_PER_SECOND tasks per fixed one-second window, so N mails span
    // ceil(N / rate) windows: the last one counts as a whole second.
    const measuredRate = times.length / (elapsedMs / 1_000 + 1);
    console.info(
      `[notices] rate limit ${RATE_PER_SECOND}/s, 2 workers: ${times.length} mails in ${elapsedMs} ms ` +
        `(${measuredRate.toFixed(1)}/s), per second from the first mail [${perSecond.join(', ')}], workers used: ${workers.length}`,
    );
    expect(times).toHaveLength(RATE_RECIPIENTS);
    // 80 mails at 20/s need 4 windows: about 3 s from the first to the last, less latency jitter.
    expect(elapsedMs).toBeGreaterThanOrEqual((Math.ceil(RATE_RECIPIENTS / RATE_PER_SECOND) - 1) * 1_000 - 300);
    expect(measuredRate).toBeLessThanOrEqual(RATE_PER_SECOND * 1.15);
    expect(workers).toHaveLength(2);
  });
});
