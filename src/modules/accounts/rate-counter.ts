import type { Redis } from 'ioredis';
import type { RateCounter } from './accounts.service.ts';

/** Fixed-window counters in Redis, shared by every process, under `<prefix>:ainfo:ratelimit:`. */
export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, max: number, windowSeconds: number): Promise<boolean> {
    const fullKey = `${this.prefix}:ainfo:ratelimit:${key}`;
    // SET NX EX starts the window once; INCR counts in it. Works on every Redis version.
    const replies = await this.redis.multi().set(fullKey, '0', 'EX', windowSeconds, 'NX').incr(fullKey).exec();
    const count = replies?.[1]?.[1];
    return typeof count === 'number' && count <= max;
  }
}
