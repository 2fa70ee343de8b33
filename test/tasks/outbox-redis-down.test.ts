import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { debugTask } from '../../src/modules/system/index.ts';
import { OutboxProducer } from '../../src/tasks/index.ts';
import { PrivateRedis } from '../helpers/private-redis.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

const PASSWORD = 'correct horse battery staple 42';

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/**
 * Redis stopped under a running web app and mail worker (a private redis-server that keeps nothing
 * on disk): what needs Redis answers 503 at once, signup answers 201 (the mail is an outbox row),
 * and the mail goes out once Redis is back, empty.
 */
describe('with Redis down', () => {
  let redis: PrivateRedis;
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stack = await startStack({
      label: 'outbox-down',
      database: 'postgres',
      smtp: true,
      app: true,
      worker: { queues: ['mail'] },
      env: { REDIS_URL: redis.url, PUBLIC_URL: 'https://ainfo.example' },
    });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    await redis.stop();
  });

  afterAll(async () => {
    await redis.start();
    await stack.stop();
    await redis.close();
  });

  it('answers a Redis-backed request with 503 SERVICE_UNAVAILABLE within 2 s', async () => {
    const { value: response, ms } = await timed(() =>
      app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email: 'nobody@example.com', password: PASSWORD } }),
    );
    expect(response.statusCode).toBe(503);
    const body = response.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.message).toMatch(/잠시 뒤에 다시 시도해 주세요/);
    expect(body.error.message).not.toContain('127.0.0.1');
    expect(ms).toBeLessThan(2_000);
  });

  it('answers signup 201 within 2 s, and mails it after Redis returns empty', async () => {
    const { value: response, ms } = await timed(() =>
      app.inject({ method: 'POST', url: '/api/accounts/signup', payload: { email: 'down@example.com', password: PASSWORD, name: '레디스' } }),
    );
    expect(response.statusCode).toBe(201);
    expect(ms).toBeLessThan(2_000);
    const pending = await stack.db.sql.query<{ task_name: string; enqueued_at: Date | null }>('select task_name, enqueued_at from task_outbox');
    expect(pending).toEqual([{ task_name: 'accounts.sendVerifyEmail', enqueued_at: null }]);

    await redis.start();
    await stack.smtp?.waitFor((messages) => messages.some((message) => message.to.includes('down@example.com')), 30_000);
    expect(stack.smtp?.messagesTo('down@example.com')).toHaveLength(1);
  });

  it('enqueues an unfinished task again when Redis restarts empty (its run_id changed)', async () => {
    const producer = new OutboxProducer(stack.core.broker, stack.services.outbox);
    // No worker takes `default` here: the task waits in Redis, unfinished.
    await stack.db.db.transaction((tx) => producer.enqueue(debugTask, { n: 1 }, { tx, id: 'outbox-restart' }));
    const queue = stack.core.broker.queue('default');
    await waitUntil(async () => (await queue.getJob('outbox-restart')) !== undefined, 10_000, 'the task in Redis');
    await redis.restartEmpty();
    await waitUntil(async () => (await queue.getJob('outbox-restart').catch(() => undefined)) !== undefined, 15_000, 'the task in the new Redis');
    // The relay records the enqueue once Redis has answered it: the job can be seen a moment before the row says so.
    const row = async (): Promise<{ enqueue_count: number; done_at: Date | null } | undefined> =>
      (
        await stack.db.sql.query<{ enqueue_count: number; done_at: Date | null }>(
          `select enqueue_count, done_at from task_outbox where task_id = 'outbox-restart'`,
        )
      )[0];
    await waitUntil(async () => (await row())?.enqueue_count === 2, 5_000, 'the row marked enqueued again');
    expect(await row()).toEqual({ enqueue_count: 2, done_at: null });
  });
});
