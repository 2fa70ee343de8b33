import os from 'node:os';
import { z } from 'zod';
import { defineTask } from '../../tasks/index.ts';

/**
 * The original service's `debug_task`: echoes what it received, with the worker's host and pid. From
 * Celery (`config.celery.debug_task`) it receives `{ args, kwargs }`.
 */
export const debugTask = defineTask(
  {
    name: 'system.debug',
    queue: 'default',
    schema: z.record(z.string(), z.unknown()).default({}),
    retry: { attempts: 1 },
    celery: { name: 'config.celery.debug_task', toPayload: (args, kwargs) => ({ args, kwargs }) },
  },
  async (payload, ctx) => {
    ctx.log.info({ payload }, 'debug task received');
    return Promise.resolve({ received: payload, host: os.hostname(), pid: process.pid, attempt: ctx.attempt });
  },
);
