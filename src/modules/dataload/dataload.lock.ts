import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Takes the lock when free, or when its holder's description contains ARGV[3] (the same task,
// run again after its worker died: BullMQ runs one job once at a time, so that holder is dead).
const ACQUIRE = `local held = redis.call('get', KEYS[1])
if (not held) or (ARGV[3] ~= '' and string.find(held, ARGV[3], 1, true)) then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if held then return 2 end
  return 1
end
return 0`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** A held lock; `lost` turns true when renewal found another holder (or Redis expired it). */
export interface HeldLock {
  readonly holder: string;
  /** The lock was taken over from a dead run of the same task. */
  readonly tookOver: boolean;
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
    private readonly redis: Redis,
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

  /**
   * Takes the lock, or returns undefined when someone holds it. With `takeOverFrom`, a lock whose
   * holder's description contains it is taken over (its renewal then finds it lost, so a holder
   * that was only slow stops writing).
   */
  async acquire(name: string, description: string, options: { takeOverFrom?: string } = {}): Promise<HeldLock | undefined> {
    const redis = this.redis;
    const key = this.key(name);
    const token = `${randomUUID()} ${description}`;
    const taken = await redis.eval(ACQUIRE, 1, key, token, String(this.ttlMs), options.takeOverFrom ?? '');
    if (taken !== 1 && taken !== 2) return undefined;
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
      tookOver: taken === 2,
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
