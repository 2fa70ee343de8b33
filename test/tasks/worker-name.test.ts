import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log/logger.ts';
import { Broker, defineTask, Deps, ResultStore, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { queueStats, workersSeen } from '../../src/tasks/inspect.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { waitUntil } from '../helpers/wait.ts';

const echo = defineTask({ name: 'test.echo', queue: 'default', schema: z.object({ n: z.number() }) }, async ({ n }) => Promise.resolve(n));

/**
 * How a worker is known (src/tasks/worker-name.ts): by its name in CLIENT LIST, one named
 * connection per queue, and not in every job it runs. Both halves rely on how BullMQ 6.7 reads the
 * `name` option; an upgrade that changes it fails here.
 */
describe('worker name', () => {
  const prefix = uniquePrefix('worker-name');
  const name = `${hostname()}:${process.pid}`;
  let broker: Broker;
  let worker: TaskWorker;
  let redis: Redis;

  beforeAll(async () => {
    broker = new Broker({ redisUrl: TEST_REDIS_URL, prefix, resultTtlSeconds: 600, resultMaxCount: 1000 });
    await broker.waitUntilReady();
    const registry = new TaskRegistry();
    registry.register(echo);
    worker = new TaskWorker({ broker, registry, deps: new Deps(), log: createLogger('silent'), queues: ['default', 'mail'], concurrency: 2, lockMs: 5_000 });
    await worker.start();
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await worker.close(5_000);
    await broker.close();
    redis.disconnect();
    await deletePrefix(prefix);
  });

  const namedClients = async (queue: string): Promise<{ id: string; name: string }[]> => {
    const list = (await redis.client('LIST')) as string;
    const wanted = `${prefix}:${Buffer.from(queue).toString('base64')}`;
    return list
      .split('\n')
      .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1] ?? '', name: /\bname=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((client) => client.name === wanted || client.name.startsWith(`${wanted}:w:`));
  };

  it('is the name of one connection per queue, which inspect and the dashboard read', async () => {
    expect(worker.name).toBe(name);
    for (const queue of ['default', 'mail'] as const) {
      expect((await namedClients(queue)).map((client) => client.name)).toEqual([`${prefix}:${Buffer.from(queue).toString('base64')}:w:${name}`]);
      expect(await broker.queue(queue).getWorkersCount()).toBe(1);
    }
    expect(await workersSeen(broker)).toEqual([{ name, queues: ['default', 'mail'] }]);
    const stats = await queueStats(broker);
    expect(stats.filter((queue) => queue.workers > 0).map((queue) => [queue.queue, queue.workers])).toEqual([
      ['default', 1],
      ['mail', 1],
    ]);
  });

  it('is not written into the jobs the worker runs (no processedBy per job)', async () => {
    const ref = await broker.enqueue(echo, { n: 7 });
    expect(await new ResultStore(broker).value(ref.id, { timeoutMs: 10_000 })).toBe(7);
    const job = await broker.queue('default').getJob(ref.id);
    expect(job?.finishedOn).toBeGreaterThan(0);
    expect(job?.processedBy).toBeUndefined();
    expect(await redis.hexists(`${prefix}:default:${ref.id}`, 'pb')).toBe(0);
  });

  it('comes back after its connection is dropped', async () => {
    const [client] = await namedClients('default');
    if (!client) throw new Error('no named worker connection');
    await redis.client('KILL', 'ID', client.id);
    await waitUntil(async () => {
      const clients = await namedClients('default');
      return clients.length === 1 && clients[0]?.id !== client.id;
    }, 10_000, 'the worker reconnected');
    expect((await namedClients('default')).map((entry) => entry.name)).toEqual([client.name]);
    const ref = await broker.enqueue(echo, { n: 8 });
    expect(await new ResultStore(broker).value(ref.id, { timeoutMs: 10_000 })).toBe(8);
  });
});
