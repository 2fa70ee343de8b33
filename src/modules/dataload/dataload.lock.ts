import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** A held lock; `lost` turns true when renewal found another holder (or Redis expired it). */
export interface HeldLock {
  readonly holder: string;
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * A mutual-exclusion lock in Redis, shared by every process: one load run per source at a time,
 * whether it came from the schedule, a worker retry or the CLI. It expires if its holder dies
 * and is renewed while the holder lives.
 */
export class RedisLocks {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly ttlMs = 60_000,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:ainfo:dataload:lock:${name}`;
  }

  /** Who holds the lock (the description given at acquire), or undefined. */
  async holder(name: string): Promise<string | undefined> {
    const value = await this.redis.get(this.key(name));
    return value ? value.slice(value.indexOf(' ') + 1) : undefined;
  }

  /** Takes the lock, or returns undefined when someone holds it. */
  async acquire(name: string, description: string): Promise<HeldLock | undefined> {
    const redis = this.redis;
    const key = this.key(name);
    const token = `${randomUUID()} ${description}`;
    const taken = await redis.set(key, token, 'PX', this.ttlMs, 'NX');
    if (taken !== 'OK') return undefined;
    let lost = false;
    const timer = setInterval(() => {
      redis.eval(RENEW, 1, key, token, String(this.ttlMs)).then(
        (renewed) => {
          if (renewed !== 1) lost = true;
        },
        () => undefined,
      );
    }, Math.floor(this.ttlMs / 3));
    timer.unref();
    return {
      holder: description,
      get lost() {
        return lost;
      },
      async release() {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, key, token);
      },
    };
  }
}
