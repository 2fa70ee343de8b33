import type { Cluster, Redis } from 'ioredis';
import type { RateCounter } from './accounts.service.ts';

/** Fixed-window counters in Redis, shared by every process, under `<prefix>:ainfo:ratelimit:`. */
export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  private keyOf(key: string): string {
    return `${this.prefix}:ainfo:ratelimit:${key}`;
  }

  async count(key: string): Promise<number> {
    return Number((await this.redis.get(this.keyOf(key))) ?? 0);
  }

  async hit(key: string, max: number, windowSeconds: number): Promise<boolean> {
    const fullKey = this.keyOf(key);
    // SET NX EX starts the window once; INCR counts in it. Works on every Redis version.
    const replies = await this.redis.multi().set(fullKey, '0', 'EX', windowSeconds, 'NX').incr(fullKey).exec();
    const count = replies?.[1]?.[1];
    return typeof count === 'number' && count <= max;
  }
}
