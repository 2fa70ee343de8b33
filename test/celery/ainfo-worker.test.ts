import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { CeleryResultBackend, type JsonObject, type JsonValue } from '../../src/tasks/celery/index.ts';
import { activeTasks, type ActiveTask } from '../../src/tasks/inspect.ts';
import { seedUsers } from '../notifications/notices.fixtures.ts';
import { runAinfo, spawnAinfo, type Child } from '../helpers/processes.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  celeryAvailable,
  celeryTestEnv,
  cleanupCelery,
  publishedStates,
  PythonDriver,
  requireCeleryInCi,
  startPythonBeat,
  startPythonWorker,
  type PythonProcess,
} from './helpers.ts';

requireCeleryInCi();

const PUBLIC_URL = 'https://ainfo.celery.test';
const TASK_MODULES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ainfo-tasks.ts');

/**
 * The Django side of a migration: Python code (Debian's Celery 5.2.6) sends the original service's
 * tasks, and `ainfo worker --celery-queues` (a real child process, on a test database, a real SMTP
 * server and Chroma) runs them; and the other way round, `ainfo call --celery` to a Python worker.
 */
describe.skipIf(!celeryAvailable)('ainfo worker --celery-queues and ainfo call --celery, against real Python Celery', () => {
  const env = celeryTestEnv(14, 'ainfo');
  let stack: Stack;
  let smtp: TestSmtpServer;
  let driver: PythonDriver;
  let redis: Redis;
  let backend: CeleryResultBackend;
  const children: Child[] = [];
  const pythons: PythonProcess[] = [];
  /** Result keys this file made, deleted at the end (our worker stores no queue name to find them by). */
  const ids = new Set<string>();

  const workerEnv = (extra: Record<string, string> = {}): Record<string, string> =>
    stack.childEnv({
      CELERY_REDIS_URL: env.brokerUrl,
      // Short, so that the message of a killed worker comes back within the test.
      CELERY_VISIBILITY_TIMEOUT_SECONDS: '2',
      // A result whose id the test never learns (a second beat fire) expires soon after the run.
      CELERY_RESULT_EXPIRES_SECONDS: '600',
      TASK_MODULES,
      SHUTDOWN_GRACE_MS: '5000',
      MAIL_RATE_PER_SECOND: '0',
      LOG_LEVEL: 'info',
      ...extra,
    });

  const startWorker = async (): Promise<Child> => {
    const child = spawnAinfo(['worker', '--queues', 'mail,notices', '--celery-queues', env.queue, '--concurrency', '4'], workerEnv());
    children.push(child);
    await child.waitFor('Celery worker ready', 60_000);
    return child;
  };

  const cli = (args: readonly string[]): ReturnType<typeof runAinfo> => runAinfo(args, workerEnv({ LOG_LEVEL: 'warn' }));

  const send = async (op: 'delay' | 'apply_async' | 'send_task', task: string, args: JsonValue[] = [], extra: JsonObject = {}): Promise<string> => {
    const id = await driver.send(op, task, args, extra);
    ids.add(id);
    return id;
  };

  let worker: Child;

  beforeAll(async () => {
    [stack, driver] = await Promise.all([
      startStack({ label: 'celery_ainfo', database: 'postgres', smtp: true, chroma: true, env: { PUBLIC_URL } }),
      PythonDriver.start(env.python()),
    ]);
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
    redis = new Redis(env.brokerUrl);
    backend = new CeleryResultBackend(redis);
    worker = await startWorker();
  });

  beforeEach(() => {
    onTestFailed(() => {
      console.error(`worker output (last 6,000 characters):\n${worker.output().slice(-6_000)}`);
    });
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await Promise.all(pythons.map((python) => python.stop('SIGKILL')));
    await driver.close();
    await backend.close();
    redis.disconnect();
    await cleanupCelery(env.brokerUrl, env.queue, ids);
    await stack.stop();
  });

  const createUser = async (email: string): Promise<number> => {
    const [row] = await stack.db.sql.query<{ id: string }>(
      `insert into users (email, name, password_hash) values ($1, '셀러리 사용자', 'not-a-hash') returning id::text as id`,
      [email],
    );
    return Number(row?.id);
  };

  it("runs Django's send_verify_email.delay(user.id, email, domain): the mail links to PUBLIC_URL, and .get() in Python returns our result", async () => {
    const email = 'verify@celery.test';
    const userId = await createUser(email);
    const id = await send('delay', 'accounts.tasks.send_verify_email', [userId, email, 'evil.example']);

    expect(await driver.get(id)).toMatchObject({ state: 'SUCCESS', result: { status: 'sent' } });
    const mail = await smtp.waitForMessageTo(email);
    expect(mail.subject).toBe('[AInfo] 이메일 주소를 인증해 주세요');
    expect(mail.text).toContain(`${PUBLIC_URL}/accounts/verify-email?token=`);
    expect(mail.text).not.toContain('evil.example');
    // The runner logs it as it logs a BullMQ job, with the Celery name beside ours (the line may reach us after the result).
    await worker.waitFor(new RegExp(`"task":"accounts.sendVerifyEmail","taskId":"${id}".*"celeryTask":"accounts.tasks.send_verify_email".*"msg":"task succeeded"`), 10_000);
  });

  it("turns a transient SMTP failure into a Celery RETRY after the task's backoff, then SUCCESS", async () => {
    const email = 'reset@celery.test';
    const userId = await createUser(email);
    smtp.failNext(1, 421);
    const id = `${env.queue}-reset`;
    const states = await publishedStates(redis, id, () =>
      send('apply_async', 'accounts.tasks.send_reset_pw_email', [userId, email, 'ainfo.example'], { options: { task_id: id } }),
    );
    expect(states).toEqual(['STARTED', 'RETRY', 'STARTED', 'SUCCESS']);
    expect(await driver.get(id)).toMatchObject({ state: 'SUCCESS', result: { status: 'sent' } });
    expect(smtp.messagesTo(email)).toHaveLength(1);
    expect(smtp.messagesTo(email)[0]?.text).toContain(`${PUBLIC_URL}/accounts/password-reset?token=`);
  });

  it('gives Python a FAILURE with our error at once: a refused mailbox, a payload our schema refuses, a call Python would refuse', async () => {
    const email = 'refused@celery.test';
    const userId = await createUser(email);
    smtp.rejectRecipients([email], 550, 'Mailbox unavailable');
    const attemptsBefore = smtp.dataAttempts;
    const refused = await send('delay', 'accounts.tasks.send_verify_email', [userId, email, 'ainfo.example']);
    const answer = await driver.get(refused);
    expect(answer).toMatchObject({ state: 'FAILURE', exc_type: 'MailPermanentError' });
    expect(String((answer.exc_args as string[])[0])).toContain('550');

    const states = await publishedStates(redis, `${env.queue}-bad-id`, () =>
      send('apply_async', 'accounts.tasks.send_verify_email', ['seven', email, 'ainfo.example'], { options: { task_id: `${env.queue}-bad-id` } }),
    );
    expect(states).toEqual(['STARTED', 'FAILURE']);
    const invalid = await driver.get(`${env.queue}-bad-id`);
    expect(invalid).toMatchObject({ state: 'FAILURE', exc_type: 'TaskPayloadError' });
    expect(String((invalid.exc_args as string[])[0])).toMatch(/^invalid payload: userId: /);

    const badCall = await send('send_task', 'accounts.tasks.send_verify_email', [userId], { kwargs: { mail: email } });
    expect(await driver.get(badCall)).toMatchObject({
      state: 'FAILURE',
      exc_type: 'TypeError',
      exc_module: 'builtins',
      exc_args: ["got an unexpected keyword argument 'mail'"],
    });
    // The refused address was tried once: permanent errors are not retried.
    expect(smtp.dataAttempts - attemptsBefore).toBeLessThanOrEqual(1);
    expect(smtp.messagesTo(email)).toHaveLength(0);
    smtp.reset();
  });

  it('rejects a Celery name no task answers to as a Celery worker does: logged, FAILURE NotRegistered', async () => {
    const id = await send('send_task', 'accounts.tasks.send_welcome_email', [1]);
    expect(await driver.get(id)).toMatchObject({ state: 'FAILURE', exc_type: 'NotRegistered', exc_args: ['accounts.tasks.send_welcome_email'] });
    await worker.waitFor("Received unregistered task of type 'accounts.tasks.send_welcome_email'", 10_000);
  });

  it("creates and sends one notice for send_mail_to_all(title, content, sender_name); the same message again creates no second one", async () => {
    const recipients = 3;
    await seedUsers(stack.db.sql, 'celery-notice', recipients, { consent: true, verified: true });
    const title = 'Celery에서 보낸 공지';
    const id = `${env.queue}-notice`;
    const sendOnce = (): Promise<string> =>
      send('apply_async', 'notifications.tasks.send_mail_to_all', [title, '**중요**: 다음 주 점검', '운영팀'], { options: { task_id: id } });
    await sendOnce();
    const first = await driver.get(id);
    expect(first).toMatchObject({ state: 'SUCCESS', result: { created: true } });
    const noticeId = (first.result as { noticeId: number }).noticeId;
    const fromNotice = (): number => smtp.messages.filter((mail) => mail.messageId.startsWith(`<notice-${noticeId}.`)).length;
    await smtp.waitFor(() => fromNotice() === recipients, 30_000);

    // Delivered again, as kombu restores a message whose consumer died after the work but before
    // storing the result: the result is gone, so our worker runs it again.
    await redis.del(`celery-task-meta-${id}`);
    await sendOnce();
    expect(await driver.get(id)).toMatchObject({ state: 'SUCCESS', result: { noticeId, created: false } });
    const notices = await stack.db.sql.query<{ n: number; sent_by: string }>(
      'select count(*)::int as n, min(sent_by) as sent_by from notices where title = $1',
      [title],
    );
    expect(notices[0]).toEqual({ n: 1, sent_by: '운영팀' });
    await waitUntil(async () => {
      const counts = await Promise.all(
        (['mail', 'notices'] as const).map((queue) => stack.core.broker.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
      );
      return counts.every((byState) => Object.values(byState).every((count) => count === 0));
    }, 20_000, 'the mail and notices queues are idle');
    expect(fromNotice()).toBe(recipients);
  });

  it('shows a running Celery task in inspect active, and runs it again on a new worker process after a SIGKILL mid-task', async () => {
    const marks = `${env.queue}:marks:kill`;
    const id = await send('send_task', 'tests.ts_sleep', [2_500, marks]);
    await waitUntil(async () => (await redis.llen(marks)) === 1, 20_000, 'the task started');
    // What `ainfo inspect active` and the admin dashboard list.
    let listed: ActiveTask[] = [];
    await waitUntil(async () => {
      listed = await activeTasks(stack.core.broker);
      return listed.some((task) => task.id === id);
    }, 10_000, 'inspect active lists it');
    expect(listed.find((task) => task.id === id)).toMatchObject({
      name: 'test.celerySleep',
      celeryTask: 'tests.ts_sleep',
      queue: env.queue,
      payload: { ms: 2_500, marks },
      attempts: 1,
      progress: { sleeping: 2_500 },
    });

    worker.process.kill('SIGKILL');
    expect(await worker.exited).toBe('SIGKILL');
    expect((await backend.get(id)).state).toBe('STARTED');
    worker = await startWorker();
    expect(await driver.get(id, 30)).toMatchObject({ state: 'SUCCESS', result: { pid: worker.process.pid } });
    const runs = (await redis.lrange(marks, 0, -1)).map((line) => JSON.parse(line) as { id: string; pid: number });
    expect(runs.map((run) => run.id)).toEqual([id, id]);
    expect(runs[1]?.pid).toBe(worker.process.pid);
    await redis.del(marks);
  });

  it('on SIGTERM lets a running Celery task finish beside the BullMQ workers, takes no new message, and exits 0', async () => {
    const marks = `${env.queue}:marks:term`;
    const running = await send('send_task', 'tests.ts_sleep', [1_000, marks]);
    await waitUntil(async () => (await redis.llen(marks)) === 1, 20_000, 'the task started');
    worker.process.kill('SIGTERM');
    await worker.waitFor('shutting down');
    const queued = await send('send_task', 'tests.ts_sleep', [0, marks]);
    expect(await worker.exited).toBe(0);
    expect((await backend.get(running)).state).toBe('SUCCESS');
    expect(await redis.llen(marks)).toBe(1);
    expect((await backend.get(queued)).state).toBe('PENDING');
    worker = await startWorker();
    expect(await driver.get(queued)).toMatchObject({ state: 'SUCCESS' });
    await redis.del(marks);
  });

  it('inspect registered names the Celery task each of ours answers to', async () => {
    const registered = await cli(['inspect', 'registered', '--json']);
    const rows = JSON.parse(registered.stdout) as { task: string; celery?: string }[];
    const celeryOf = Object.fromEntries(rows.map((row) => [row.task, row.celery]));
    expect(celeryOf).toMatchObject({
      'accounts.sendVerifyEmail': 'accounts.tasks.send_verify_email',
      'accounts.sendResetPasswordEmail': 'accounts.tasks.send_reset_pw_email',
      'notifications.createAndSendNotice': 'notifications.tasks.send_mail_to_all',
      'dataload.loadEmploymentData': 'dataload.tasks.load_employment_data_task',
      'dataload.loadYouthPolicyData': 'dataload.tasks.load_youth_policy_data_task',
      'dataload.loadGov24Data': 'dataload.tasks.load_gov24_data_task',
      'system.debug': 'config.celery.debug_task',
    });
  });

  it('a Python worker runs what ainfo call --celery sends, --wait prints its result, and ainfo result reads it back', async () => {
    const queue = `${env.queue}-py`;
    pythons.push(await startPythonWorker(env.python(), queue, 'ainfo-call'));

    const added = await cli(['call', '--celery', 'tests.add', '--args', '[2, 3]', '--queue', queue, '--wait', '--timeout', '20']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const printed = JSON.parse(added.stdout) as { id: string };
    ids.add(printed.id);
    expect(printed).toMatchObject({ state: 'SUCCESS', result: 5, task: 'tests.add', backend: 'celery' });
    const read = await cli(['result', printed.id]);
    expect(JSON.parse(read.stdout)).toMatchObject({ id: printed.id, state: 'SUCCESS', result: 5, task: 'tests.add', backend: 'celery' });

    const echoed = await cli(['call', '--celery', 'tests.echo', '--args', '["한글"]', '--kwargs', '{"flag": true}', '--queue', queue, '--countdown', '1', '--id', `${queue}-echo`, '--wait']);
    ids.add(`${queue}-echo`);
    expect(JSON.parse(echoed.stdout)).toMatchObject({ id: `${queue}-echo`, state: 'SUCCESS', result: { args: ['한글'], kwargs: { flag: true } } });

    const failed = await cli(['call', '--celery', 'tests.fail', '--args', '["잘못된 요청"]', '--queue', queue, '--wait']);
    expect(failed.code).toBe(1);
    const failure = JSON.parse(failed.stdout) as { id: string };
    ids.add(failure.id);
    expect(failure).toMatchObject({ state: 'FAILURE', error: 'InteropError: 잘못된 요청', backend: 'celery' });
  });

  it('runs dataload.tasks.load_employment_data_task fired by a Python beat entry (sample mode, into Chroma)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-beat-'));
    const beat = startPythonBeat(env.python({ CELERY_BEAT_TASK: 'dataload.tasks.load_employment_data_task', CELERY_BEAT_INTERVAL: '1' }), path.join(dir, 'schedule'));
    pythons.push(beat);
    try {
      // Beat logs a send before it publishes: only its second send proves the first message left
      // (stopped right after the first line, a loaded beat could die before publishing it).
      await beat.waitFor(/Sending due task interop-beat \(dataload\.tasks\.load_employment_data_task\)[\s\S]*Sending due task interop-beat/);
    } finally {
      await beat.stop();
      await rm(dir, { recursive: true, force: true });
    }
    // One run per fire that got out (two at most); the first to load the sample is the one checked.
    let run: { task_id: string; state: string; mode: string; added: number } | undefined;
    await waitUntil(async () => {
      const runs = await stack.db.sql.query<NonNullable<typeof run>>(
        `select task_id, state, mode, added from dataload_runs where source = 'work24' order by id`,
      );
      run = runs.find((candidate) => candidate.state === 'SUCCESS' && candidate.added > 0) ?? runs.find((candidate) => candidate.state !== 'RUNNING');
      return runs.length > 0 && runs.every((candidate) => candidate.state !== 'RUNNING');
    }, 40_000, 'the loads finished');
    ids.add(run?.task_id ?? '');
    expect(run).toMatchObject({ state: 'SUCCESS', mode: 'sample' });
    expect(run?.added).toBeGreaterThan(0);
    await waitUntil(async () => (await backend.get(run?.task_id ?? '')).state === 'SUCCESS', 10_000, 'its result is stored');
    expect((await backend.get(run?.task_id ?? '')).result).toMatchObject({ source: 'work24', state: 'SUCCESS' });
  }, 90_000);
});
