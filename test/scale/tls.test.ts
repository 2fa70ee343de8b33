import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStack } from '../helpers/process-stack.ts';
import { ROOT } from '../helpers/processes.ts';
import { TlsRedis } from '../helpers/tls-redis.ts';

/** Managed Redis over TLS: REDIS_URL=rediss://…, the server's certificate trusted via NODE_EXTRA_CA_CERTS. */
describe('a worker and the CLI on a TLS-only Redis (rediss://)', () => {
  let redis: TlsRedis;
  let stack: ProcessStack;

  beforeAll(async () => {
    redis = await TlsRedis.start();
    stack = await ProcessStack.start({
      label: 'tls',
      readyTimeoutMs: 240_000,
      env: { REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: redis.caFile, TASK_MODULES: path.join(ROOT, 'test/fixtures/test.tasks.ts') },
    });
    await stack.startWorker(['--queues', 'default']);
  }, 180_000);

  afterAll(async () => {
    await stack.close();
    await redis.close();
  });

  it('runs a task round trip', async () => {
    const call = await stack.cli(['call', 'test.sleep', '--payload', '{"ms":5}', '--wait', '--timeout', '60']);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ state: 'SUCCESS', result: { sleptMs: 5 } });
  });
});
