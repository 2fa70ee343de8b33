import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log/logger.ts';
import { Broker, defineTask, Deps, ResultStore, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { WriteBatcher } from '../../src/tasks/write-batch.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WriteBatcher', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
    await redis.ping();
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('writes the command of a run alone at once', async () => {
    const writes = new WriteBatcher(() => redis, 4);
    writes.begin();
    writes.end();
    const reply = redis.ping();
    expect(redis.stream.writableCorked).toBe(0);
    expect(redis.stream.writableLength).toBe(0);
    expect(await reply).toBe('PONG');
  });

  it('holds the commands of runs finishing while others are in flight until the next turn', async () => {
    const writes = new WriteBatcher(() => redis, 4);
    writes.begin();
    writes.begin();
    writes.begin();
    writes.end();
    const first = redis.echo('a');
    writes.end();
    const second = redis.echo('b');
    writes.end();
    const third = redis.echo('c');
    // Nothing has left yet: the three commands wait in the socket for the end of this turn.
    expect(redis.stream.writableCorked).toBe(1);
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    await nextTurn();
    expect(redis.stream.writableCorked).toBe(0);
    expect(await Promise.all([first, second, third])).toEqual(['a', 'b', 'c']);
  });

  it('lets every maxHeld held commands leave, so Redis works while the rest of the turn runs', async () => {
    const writes = new WriteBatcher(() => redis, 2);
    for (let run = 0; run < 4; run += 1) writes.begin();
    const replies: Promise<string>[] = [];
    writes.end();
    replies.push(redis.echo('1'));
    writes.end();
    replies.push(redis.echo('2'));
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    // The third hold sends the first two and holds again.
    writes.end();
    expect(redis.stream.writableLength).toBe(0);
    expect(redis.stream.writableCorked).toBe(1);
    replies.push(redis.echo('3'));
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    await nextTurn();
    expect(redis.stream.writableCorked).toBe(0);
    expect(await Promise.all(replies)).toEqual(['1', '2', '3']);
  });

  it('leaves what is not a ready standalone connection alone', () => {
    const closed = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    for (const connection of [undefined, closed, { stream: redis.stream }]) {
      const writes = new WriteBatcher(() => connection);
      writes.begin();
      writes.begin();
      writes.end();
      expect(redis.stream.writableCorked).toBe(0);
    }
    closed.disconnect();
  });
});

/**
 * A worker draining at concurrency holds its completions on the connection BullMQ made for it:
 * counted by the socket corks in this process (nothing else here corks a socket), so the test
 * fails if that connection stops being one the batcher can hold (a BullMQ or ioredis upgrade).
 */
describe('a TaskWorker draining at concurrency', () => {
  const noop = defineTask({ name: 'test.noop', queue: 'default', schema: z.object({ i: z.number() }) }, async ({ i }) => Promise.resolve(i));

  it('sends completions of one turn together', async () => {
    const TASKS = 1_000;
    const prefix = uniquePrefix('write-batch');
    const broker = new Broker({ redisUrl: TEST_REDIS_URL, prefix, resultTtlSeconds: 600, resultMaxCount: 10_000 });
    // A socket's cork is Writable's: counted by one of Socket's own for the test's length.
    let corks = 0;
    Object.defineProperty(Socket.prototype, 'cork', {
      configurable: true,
      writable: true,
      value(this: Socket): void {
        corks += 1;
        Writable.prototype.cork.call(this);
      },
    });
    let worker: TaskWorker | undefined;
    try {
      await broker.waitUntilReady();
      const refs = await broker.enqueueMany(noop, Array.from({ length: TASKS }, (_, i) => ({ payload: { i } })));
      const registry = new TaskRegistry();
      registry.register(noop);
      worker = new TaskWorker({ broker, registry, deps: new Deps(), log: createLogger('silent'), queues: ['default'], concurrency: 50, lockMs: 30_000 });
      await worker.start();
      const results = new ResultStore(broker);
      const values = await Promise.all(refs.map((ref) => results.value(ref.id, { timeoutMs: 30_000 })));
      expect(values).toEqual(Array.from({ length: TASKS }, (_, i) => i));
      console.info(`[write-batch] ${TASKS} tasks at concurrency 50: the worker's socket was corked ${corks} times`);
      expect(corks).toBeGreaterThan(0);
    } finally {
      Reflect.deleteProperty(Socket.prototype, 'cork');
      await worker?.close(5_000);
      await broker.close();
      await deletePrefix(prefix);
    }
  });
});
