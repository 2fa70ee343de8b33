/**
 * A CeleryConsumer in a process of its own, so a test can SIGKILL it mid-task (run with
 * `node --import tsx`). Environment: CELERY_BROKER_URL, CELERY_QUEUE, CELERY_VISIBILITY_TIMEOUT.
 * SIGTERM closes it gracefully.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log/logger.ts';
import { CeleryConsumer } from '../../src/tasks/celery/index.ts';
import { testExecute } from './test-tasks.ts';

const brokerUrl = process.env.CELERY_BROKER_URL ?? '';
const queue = process.env.CELERY_QUEUE ?? '';
const redis = new Redis(brokerUrl);
const consumer = new CeleryConsumer({
  brokerUrl,
  queues: [queue],
  concurrency: 2,
  execute: testExecute(redis),
  log: createLogger('info', { role: 'celery-test-consumer' }),
  visibilityTimeoutSeconds: Number(process.env.CELERY_VISIBILITY_TIMEOUT ?? '3600'),
  resultExtended: true,
});
await consumer.start();
process.once('SIGTERM', () => {
  void consumer.close({ graceMs: 10_000 }).then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
