import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { TaskWorker } from '../../src/tasks/worker.ts';
import { testContext } from '../helpers/context.ts';
import { ROOT, runAinfo } from '../helpers/processes.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

describe('ainfo command line', () => {
  const prefix = uniquePrefix('cli');
  let ctx: AppContext;
  let worker: TaskWorker;
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    DATA_DIR: path.join(ROOT, 'data', `test-${prefix}`),
    ...extra,
  });

  beforeAll(async () => {
    ctx = await testContext(prefix);
    worker = new TaskWorker({ broker: ctx.broker, registry: ctx.registry, deps: ctx, log: ctx.log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
  });

  afterAll(async () => {
    await worker.close(5_000);
    await ctx.close();
    await deletePrefix(prefix);
  });

  it('call --wait prints one JSON object with the echoed payload, host and pid', async () => {
    const run = await runAinfo(['call', 'system.debug', '--payload', '{"hello":"world"}', '--wait'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { id: string; state: string; result: { received: unknown; pid: number } };
    expect(printed.state).toBe('SUCCESS');
    expect(printed.result.received).toEqual({ hello: 'world' });
    expect(printed.result.pid).toBe(process.pid);

    const again = await runAinfo(['result', printed.id], env());
    expect(JSON.parse(again.stdout)).toMatchObject({ id: printed.id, state: 'SUCCESS' });
  });

  it('refuses an unknown task and bad JSON with a message and no stack trace', async () => {
    const unknown = await runAinfo(['call', 'nope.task'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown task "nope.task"; registered tasks: .*system\.debug/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badJson = await runAinfo(['call', 'system.debug', '--payload', '{oops'], env());
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('not JSON');
  });

  it('explains how to get Redis when nothing answers, for every process, without a stack trace', async () => {
    for (const command of [['worker'], ['beat'], ['web'], ['call', 'system.debug']]) {
      const run = await runAinfo(command, env({ REDIS_URL: 'redis://127.0.0.1:1' }));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Redis does not answer at redis://127.0.0.1:1');
      expect(run.stderr).toContain('REDIS_URL');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('stops with every wrong variable listed', async () => {
    const run = await runAinfo(['worker'], env({ PORT: 'x', QUEUE_PREFIX: 'a:b' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PORT');
    expect(run.stderr).toContain('QUEUE_PREFIX');
  });

  it('refuses a separate web process on the embedded database with what to do', async () => {
    const run = await runAinfo(['web'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL');
  });

  it('inspect stats and registered print tables and JSON', async () => {
    const stats = await runAinfo(['inspect', 'stats', '--json'], env());
    const parsed = JSON.parse(stats.stdout) as { queues: { queue: string; workers: number }[] };
    expect(parsed.queues.map((row) => row.queue)).toEqual(['default', 'mail', 'notices', 'dataload']);
    expect(parsed.queues[0]?.workers).toBeGreaterThanOrEqual(1);
    const registered = await runAinfo(['inspect', 'registered'], env());
    expect(registered.stdout).toMatch(/system\.debug\s+default/);
  });

  it('purges the waiting tasks of a queue', async () => {
    await ctx.broker.queue('dataload').add('system.debug', { payload: {} }, { jobId: 'to-purge-1' });
    const run = await runAinfo(['purge', 'dataload'], env());
    expect(JSON.parse(run.stdout)).toEqual({ queue: 'dataload', purged: 1 });
    expect((await ctx.results.get('to-purge-1')).state).toBe('PENDING');
    expect(await ctx.broker.queue('dataload').getJob('to-purge-1')).toBeUndefined();
  });
});
