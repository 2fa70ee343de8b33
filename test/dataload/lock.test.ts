import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLocks } from '../../src/modules/dataload/dataload.lock.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

describe('the source lock', () => {
  const prefix = uniquePrefix('lock');
  const redis = new Redis(TEST_REDIS_URL);
  const locks = new RedisLocks(redis, prefix);

  afterAll(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it('is refused to another run, and taken over by a rerun of the task whose worker died', async () => {
    const dead = await locks.acquire('youth', 'task load-1, pid 11');
    expect(dead?.tookOver).toBe(false);
    expect(await locks.acquire('youth', 'manual run, pid 12')).toBeUndefined();
    // `task load-10,` is another task: the comma ends the id.
    expect(await locks.acquire('youth', 'task load-10, pid 13', { takeOverFrom: 'task load-10,' })).toBeUndefined();
    const rerun = await locks.acquire('youth', 'task load-1, pid 14', { takeOverFrom: 'task load-1,' });
    expect(rerun?.tookOver).toBe(true);
    expect(await locks.holder('youth')).toBe('task load-1, pid 14');
    // The dead run's release (a slow holder finishing after all) leaves the new holder's lock alone.
    await dead?.release();
    expect(await locks.holder('youth')).toBe('task load-1, pid 14');
    await rerun?.release();
    expect(await locks.holder('youth')).toBeUndefined();
  });
});
