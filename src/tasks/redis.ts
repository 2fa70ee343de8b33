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
 * A connection for what consumes (BullMQ workers, QueueEvents, the Celery consumer): commands wait
 * for a reconnect instead of failing (`maxRetriesPerRequest: null`), so a Redis restart is survived.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
  return redis;
}

/** How long a producer connection waits for Redis to accept a connection. */
export const PRODUCER_CONNECT_TIMEOUT_MS = 1_500;
/** How long a producer command may wait for its reply on a connection that looks alive (a silent host). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 10_000;

/**
 * A connection for what serves a request or enqueues (the broker's producer side, rate limits,
 * admin sessions, locks): with Redis down a command fails at once (no offline queue) instead of
 * waiting for it to return, so a request answers 503 in well under 2 s. Reconnects in the background.
 */
export function createProducerRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...PRODUCER_REDIS_OPTIONS, ...options });
}

/** createProducerRedis' options, also those of each node of a Redis Cluster producer (createCluster). */
export const PRODUCER_REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  enableReadyCheck: true,
  connectTimeout: PRODUCER_CONNECT_TIMEOUT_MS,
  commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  // Reconnect quickly at first, then every 2 s at most: requests meanwhile fail fast.
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};

/** ioredis' words for "no connection", as a producer connection reports them. */
const CONNECTION_FAILURE = /enableOfflineQueue|Connection is closed|max retries per request|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|connect ETIMEDOUT|Redis does not answer/i;

/** Whether an error says Redis could not be reached (as opposed to a wrong command or a script error). */
export function isRedisConnectionError(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return CONNECTION_FAILURE.test(error.message);
}

/**
 * Rejects with RedisUnavailableError when `work` has not settled after `timeoutMs`: the bound on a
 * producer operation that waits on something other than a command (BullMQ waiting for its
 * connection to be ready).
 */
export function withRedisDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  // One promise and one timer: this wraps every enqueue, so no Promise.race and no async frame.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new RedisUnavailableError(what, new Error(`no answer in ${timeoutMs} ms`)));
    }, timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
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
