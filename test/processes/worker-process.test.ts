import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { sleepTask } from '../fixtures/test.tasks.ts';
import { testContext } from '../helpers/context.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { ROOT, spawnAinfo, type Child } from '../helpers/processes.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const TASK_MODULES = path.join(ROOT, 'test/fixtures/test.tasks.ts');

describe('worker processes (real child processes)', () => {
  const prefix = uniquePrefix('proc');
  let ctx: AppContext;
  let database: TestDatabase;
  let redis: Redis;
  const children: Child[] = [];

  const env = (): Record<string, string> => ({
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: database.url ?? '',
    TASK_MODULES,
    TASK_LOCK_MS: '2000',
    SHUTDOWN_GRACE_MS: '10000',
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(ROOT, 'data', `test-${prefix}`),
  });

  const startWorker = async (): Promise<Child> => {
    const child = spawnAinfo(['worker', '--queues', 'default', '--concurrency', '2'], env());
    children.push(child);
    await child.waitFor('worker ready');
    return child;
  };

  const starts = (id: string): Promise<string[]> => redis.lrange(`${prefix}:test:starts:${id}`, 0, -1);

  const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    database = await createPostgresDatabase('proc');
    ctx = await testContext(prefix, { env: { TASK_MODULES } });
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    redis.disconnect();
    await ctx.close();
    await database.drop();
    await deletePrefix(prefix);
  });

  it('finishes the task of a worker killed with SIGKILL on a restarted worker', async () => {
    const first = await startWorker();
    const ref = await sleepTask.delay({ ms: 1_500 });
    await waitUntil(async () => (await starts(ref.id)).length === 1, 10_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect((await ctx.results.get(ref.id)).state).toBe('STARTED');

    const second = await startWorker();
    const result = await ctx.results.wait(ref.id, { timeoutMs: 20_000 });
    expect(result.state).toBe('SUCCESS');
    expect(result.result).toMatchObject({ pid: second.process.pid });
    expect(await starts(ref.id)).toEqual([String(first.process.pid), String(second.process.pid)]);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('lets a running task finish on SIGTERM, takes no new task, and exits 0', async () => {
    const worker = await startWorker();
    const running = await sleepTask.delay({ ms: 2_000 });
    await waitUntil(async () => (await starts(running.id)).length === 1, 10_000);
    worker.process.kill('SIGTERM');
    await worker.waitFor('shutting down');
    const queued = await sleepTask.delay({ ms: 10 });
    expect(await worker.exited).toBe(0);
    expect((await ctx.results.get(running.id)).state).toBe('SUCCESS');
    expect(await starts(running.id)).toHaveLength(1);
    expect((await ctx.results.get(queued.id)).state).toBe('PENDING');
    expect(worker.output()).toMatch(/"task":"test.sleep".*"durationMs":\d+.*"msg":"task succeeded"/);
  });
});
