import { loadConfig, type Config } from '../../src/config/config.ts';
import { createContext, type AppContext, type ProcessRole } from '../../src/context.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { createLogger } from '../../src/log/logger.ts';
import { TEST_REDIS_URL } from './redis.ts';

/** A config for tests: the machine's Redis, a given queue prefix, quiet logs, plus overrides. */
export function testConfig(prefix: string, env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: `./data/test-${prefix}`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    ...env,
  });
}

/** An app context on real Redis and the given database (or none). */
export async function testContext(
  prefix: string,
  options: { env?: Record<string, string | undefined>; database?: DatabaseHandle | false; role?: ProcessRole } = {},
): Promise<AppContext> {
  const config = testConfig(prefix, options.env);
  return createContext(config, {
    role: options.role ?? 'all',
    log: createLogger(config.log.level, { test: prefix }),
    database: options.database ?? false,
  });
}
