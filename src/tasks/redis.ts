import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from './errors.ts';

/** Hides the password of a redis:// URL, for logs and messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}

/**
 * A connection for BullMQ: commands wait for a reconnect instead of failing
 * (`maxRetriesPerRequest: null`), so a Redis restart is survived.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
  return redis;
}

/** Pings Redis once, without retrying; throws RedisUnavailableError when nothing answers. */
export async function assertRedisAnswers(url: string, timeoutMs = 2_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // Without a listener ioredis prints connection errors itself.
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new RedisUnavailableError(redactRedisUrl(url), error);
  } finally {
    probe.disconnect();
  }
}
