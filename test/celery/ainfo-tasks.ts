// A task with a Celery name for the `ainfo worker --celery-queues` tests, loaded through
// TASK_MODULES: slow enough to be SIGKILLed mid-run, recording each start in the Celery Redis.
import { Redis } from 'ioredis';
import { z } from 'zod';
import { loadConfig } from '../../src/config/config.ts';
import { celeryArguments, defineTask } from '../../src/tasks/index.ts';

let redis: Redis | undefined;

/** Sleeps `ms`, first pushing `{ id, pid, attempt }` onto the list `marks` (in CELERY_REDIS_URL's database). */
export const celerySleep = defineTask(
  {
    name: 'test.celerySleep',
    queue: 'default',
    schema: z.object({ ms: z.number().int().min(0), marks: z.string().min(1) }),
    celery: {
      name: 'tests.ts_sleep',
      toPayload: (args, kwargs) => {
        const { ms, marks } = celeryArguments(['ms', 'marks'], args, kwargs);
        return { ms, marks };
      },
    },
  },
  async ({ ms, marks }, ctx) => {
    redis ??= new Redis(loadConfig().celery.brokerUrl, { maxRetriesPerRequest: null });
    await redis.rpush(marks, JSON.stringify({ id: ctx.id, pid: process.pid, attempt: ctx.attempt }));
    await ctx.progress({ sleeping: ms });
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { pid: process.pid };
  },
);
