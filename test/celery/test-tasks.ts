import type { Redis } from 'ioredis';
import type { CeleryExecute, CeleryOutcome, JsonValue } from '../../src/tasks/celery/index.ts';

/** A run of a test task, as recorded in Redis by either side. */
export interface Mark {
  id: string;
  value?: JsonValue;
  priority?: number;
  pid?: number;
  redelivered?: boolean;
  side?: 'ts';
}

export async function readMarks(redis: Redis, key: string): Promise<Mark[]> {
  return (await redis.lrange(key, 0, -1)).map((line) => JSON.parse(line) as Mark);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The TypeScript side of the test tasks (the same names as test/celery/pyapp/app.py): real work,
 * runs recorded in Redis so a test can count them, whichever process ran them.
 */
export function testExecute(redis: Redis): CeleryExecute {
  const success = (result: JsonValue): CeleryOutcome => ({ status: 'success', result });
  return async (message) => {
    const [first, second] = message.args;
    switch (message.task) {
      case 'tests.add':
        if (typeof first !== 'number' || typeof second !== 'number') {
          return { status: 'failure', error: { type: 'TypeError', message: 'add needs two numbers' } };
        }
        return success(first + second);
      case 'tests.echo':
        return success({ args: message.args, kwargs: message.kwargs });
      case 'tests.fail':
        return { status: 'failure', error: { type: 'InteropError', message: typeof first === 'string' ? first : JSON.stringify(first) } };
      case 'tests.slow':
        if (typeof second === 'string') {
          await redis.rpush(second, JSON.stringify({ id: message.id, pid: process.pid, redelivered: message.redelivered, side: 'ts' }));
        }
        await sleep(Number(first) * 1000);
        return success(first ?? null);
      case 'tests.record':
        if (typeof first !== 'string') return { status: 'failure', error: { type: 'TypeError', message: 'record needs a key' } };
        await redis.rpush(first, JSON.stringify({ id: message.id, value: second ?? null, priority: message.priority, pid: process.pid, side: 'ts' }));
        return success(second ?? null);
      case 'tests.flaky':
        // Fails twice, then succeeds with how many retries it took.
        if (message.retries < 2) {
          return { status: 'failure', error: { type: 'FlakyError', message: `attempt ${message.retries + 1}` }, retry: { countdownSeconds: 0.2 } };
        }
        return success(message.retries);
      case 'tests.throws':
        throw new RangeError('thrown, not returned');
      default:
        return { status: 'unknown-task' };
    }
  };
}
