import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { RedisUnavailableError } from '../tasks/errors.ts';
import { assertRedisAnswers, redactRedisUrl } from '../tasks/redis.ts';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The message for a missing Redis: what to do, no stack trace. */
export function redisHelp(url: string): string {
  return [
    `Redis does not answer at ${redactRedisUrl(url)}.`,
    'AInfo keeps its task queue and results in Redis. Start one, then try again:',
    '  - Debian/Ubuntu: sudo apt-get install redis-server && redis-server --daemonize yes',
    '  - macOS: brew install redis && brew services start redis',
    '  - Docker: docker run -d -p 6379:6379 redis:7',
    'or point REDIS_URL at a Redis you have (redis://user:pass@host:6379/0).',
    '`ainfo all` (npm start) starts redis-server itself under ./data/redis when the binary is on PATH.',
  ].join('\n');
}

async function onPath(binary: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Makes sure Redis answers at `url`. When it does not, the URL is local and `mayStart` is set,
 * starts `redis-server` under `<dataDir>/redis` (append-only file on, so queued tasks survive a
 * restart) and returns a function that stops it; otherwise throws RedisUnavailableError.
 */
export async function ensureRedis(
  url: string,
  options: { mayStart: boolean; dataDir: string; log: Logger },
): Promise<(() => Promise<void>) | undefined> {
  try {
    await assertRedisAnswers(url);
    return undefined;
  } catch (error) {
    if (!(error instanceof RedisUnavailableError)) throw error;
    const parsed = new URL(url);
    const binary = options.mayStart && LOCAL_HOSTS.has(parsed.hostname) ? await onPath('redis-server') : undefined;
    if (!binary) throw error;
    const dir = path.resolve(options.dataDir, 'redis');
    await mkdir(dir, { recursive: true });
    const port = parsed.port || '6379';
    options.log.warn({ dir, port }, `nothing answers at ${redactRedisUrl(url)}: starting ${binary} under ${dir}`);
    const child: ChildProcess = spawn(
      binary,
      ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    for (let waited = 0; waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      try {
        await assertRedisAnswers(url, 500);
        options.log.info({ pid: child.pid }, 'redis-server started');
        return async () => {
          child.kill('SIGTERM');
          await new Promise((resolve) => child.once('exit', resolve));
        };
      } catch {
        if (child.exitCode !== null) break;
      }
    }
    child.kill('SIGKILL');
    throw error;
  }
}
