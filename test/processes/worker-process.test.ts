import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepTask } from '../fixtures/test.tasks.ts';
import { ROOT, spawnAinfo, type Child } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

const TASK_MODULES = path.join(ROOT, 'test/fixtures/test.tasks.ts');

describe('worker processes (real child processes)', () => {
  let stack: Stack;
  const children: Child[] = [];

  const startWorker = async (): Promise<Child> => {
    const child = spawnAinfo(
      ['worker', '--queues', 'default', '--concurrency', '2'],
      stack.childEnv({ TASK_LOCK_MS: '2000', SHUTDOWN_GRACE_MS: '10000', LOG_LEVEL: 'info' }),
    );
    children.push(child);
    await child.waitFor('worker ready');
    return child;
  };

  const starts = (id: string): Promise<string[]> => stack.core.broker.connection.lrange(`${stack.prefix}:test:starts:${id}`, 0, -1);

  beforeAll(async () => {
    // The workers are `ainfo worker` processes: they compose every module, so they need a database.
    stack = await startStack({ label: 'proc', database: 'postgres', services: false, env: { TASK_MODULES } });
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await stack.stop();
  });

  it('finishes the task of a worker killed with SIGKILL on a restarted worker', async () => {
    const { broker, results } = stack.core;
    const first = await startWorker();
    const ref = await broker.enqueue(sleepTask, { ms: 1_500 });
    await waitUntil(async () => (await starts(ref.id)).length === 1, 10_000, 'the task started');
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect((await results.get(ref.id)).state).toBe('STARTED');

    const second = await startWorker();
    const result = await results.wait(ref.id, { timeoutMs: 20_000 });
    expect(result.state).toBe('SUCCESS');
    expect(result.result).toMatchObject({ pid: second.process.pid });
    expect(await starts(ref.id)).toEqual([String(first.process.pid), String(second.process.pid)]);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('lets a running task finish on SIGTERM, takes no new task, and exits 0', async () => {
    const { broker, results } = stack.core;
    const worker = await startWorker();
    const running = await broker.enqueue(sleepTask, { ms: 2_000 });
    await waitUntil(async () => (await starts(running.id)).length === 1, 10_000, 'the task started');
    worker.process.kill('SIGTERM');
    await worker.waitFor('shutting down');
    const queued = await broker.enqueue(sleepTask, { ms: 10 });
    expect(await worker.exited).toBe(0);
    expect((await results.get(running.id)).state).toBe('SUCCESS');
    expect(await starts(running.id)).toHaveLength(1);
    expect((await results.get(queued.id)).state).toBe('PENDING');
    expect(worker.output()).toMatch(/"task":"test.sleep".*"durationMs":\d+.*"msg":"task succeeded"/);
  });
});
