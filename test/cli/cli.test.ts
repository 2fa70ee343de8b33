import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugTask } from '../../src/modules/system/index.ts';
import { runAinfo } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

describe('ainfo command line', () => {
  let stack: Stack;
  const env = (extra: Record<string, string> = {}): Record<string, string> => {
    // The CLI's one-shot commands need Redis only: no DATABASE_URL, no JWT secret.
    const { REDIS_URL, QUEUE_PREFIX, DATA_DIR } = stack.childEnv();
    return { REDIS_URL: REDIS_URL ?? '', QUEUE_PREFIX: QUEUE_PREFIX ?? '', DATA_DIR: DATA_DIR ?? '', LOG_LEVEL: 'warn', ...extra };
  };

  beforeAll(async () => {
    stack = await startStack({ label: 'cli', worker: { queues: ['default'], tasks: [debugTask] } });
  });

  afterAll(() => stack.stop());

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
    const { broker, results } = stack.core;
    await broker.enqueue(debugTask, {}, { id: 'to-purge-1', queue: 'dataload' });
    const run = await runAinfo(['purge', 'dataload'], env());
    expect(JSON.parse(run.stdout)).toEqual({ queue: 'dataload', purged: 1 });
    expect((await results.get('to-purge-1')).state).toBe('PENDING');
    expect(await broker.queue('dataload').getJob('to-purge-1')).toBeUndefined();
  });
});
