import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugTask } from '../../src/modules/system/index.ts';
import { assertRedisAnswers } from '../../src/tasks/redis.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

describe('a Redis restart', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  let stack: Stack;

  const startRedis = async (): Promise<void> => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i += 1) {
      try {
        await assertRedisAnswers(`redis://127.0.0.1:${port}`, 200);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('redis-server did not start');
  };

  const stopRedis = async (): Promise<void> => {
    const child = redis;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-redis-'));
    port = await freePort();
    await startRedis();
    stack = await startStack({ label: 'restart', env: { REDIS_URL: `redis://127.0.0.1:${port}` }, worker: { queues: ['default'], tasks: [debugTask] } });
  });

  afterAll(async () => {
    await stack.stop();
    await stopRedis();
    await rm(dir, { recursive: true, force: true });
  });

  it('is survived: connections come back and a task queued before it runs after it', async () => {
    const { broker, results } = stack.core;
    const before = await broker.enqueue(debugTask, { n: 1 });
    expect((await results.wait(before.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');

    const queued = await broker.enqueue(debugTask, { n: 2 }, { countdown: 2 });
    await stopRedis();
    // Redis stays down a while: what is measured is surviving an outage, not a quick blip.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await startRedis();

    const result = await results.wait(queued.id, { timeoutMs: 20_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: { received: { n: 2 } } });
    const after = await broker.enqueue(debugTask, { n: 3 });
    expect((await results.wait(after.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
  });
});
