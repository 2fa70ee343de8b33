import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CeleryResultBackend, CeleryResultFormatError } from '../../src/tasks/celery/index.ts';
import { startPrivateRedis } from '../helpers/redis.ts';
import { waitUntil } from './helpers.ts';

describe("Celery's result backend format and waits (a private redis-server)", () => {
  let server: Awaited<ReturnType<typeof startPrivateRedis>>;
  let redis: Redis;
  let backend: CeleryResultBackend;

  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = new Redis(server.url);
    backend = new CeleryResultBackend(redis, { expiresSeconds: 600 });
  });

  afterAll(async () => {
    await backend.close();
    redis.disconnect();
    await server.stop();
  });

  it('stores with the TTL and never overwrites a SUCCESS (a lost worker\'s late run cannot undo it)', async () => {
    expect(await backend.store('t-1', 'SUCCESS', { ok: true })).toBe(true);
    expect(await backend.store('t-1', 'FAILURE', { type: 'ValueError', module: 'builtins', args: ['late'] })).toBe(false);
    expect(await backend.get('t-1')).toMatchObject({ state: 'SUCCESS', result: { ok: true } });
    expect(await redis.ttl('celery-task-meta-t-1')).toBeGreaterThan(590);
  });

  it('wakes a waiter from the publish, and leaves it waiting through states that are not ready', async () => {
    const waiting = backend.wait('t-2', { timeoutMs: 10_000 });
    await backend.store('t-2', 'STARTED', { pid: 1, hostname: 'w@h' });
    await backend.store('t-2', 'RETRY', { type: 'IOError', module: 'builtins', args: ['again'] });
    await backend.store('t-2', 'SUCCESS', 5);
    expect(await waiting).toMatchObject({ id: 't-2', state: 'SUCCESS', result: 5 });
  });

  it('reads a result published while its subscription was down once the connection is back', async () => {
    const waiting = backend.wait('t-3', { timeoutMs: 10_000 });
    await waitUntil('the waiter is subscribed', async () => {
      const [, subscribers] = (await redis.pubsub('NUMSUB', 'celery-task-meta-t-3')) as [string, number];
      return subscribers === 1;
    });
    const value = backend.encode('t-3', 'SUCCESS', 'while away', null, undefined);
    // One transaction: the subscriber is cut off before the publish, so the publish is surely missed.
    await redis.multi().call('CLIENT', 'KILL', 'TYPE', 'pubsub').set('celery-task-meta-t-3', value).publish('celery-task-meta-t-3', value).exec();
    expect(await waiting).toMatchObject({ state: 'SUCCESS', result: 'while away' });
  });

  it('returns PENDING after the timeout for an id nothing knows, and refuses a value that is not Celery JSON', async () => {
    expect(await backend.wait('t-unknown', { timeoutMs: 100 })).toEqual({ id: 't-unknown', state: 'PENDING' });
    await redis.set('celery-task-meta-t-pickled', '\x80\x04\x95pickle');
    await expect(backend.get('t-pickled')).rejects.toBeInstanceOf(CeleryResultFormatError);
  });
});
