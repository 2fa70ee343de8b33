/**
 * Celery messages from a Python producer (`config.celery.debug_task`, the original project's
 * debug task), drained by our worker's Celery path and, in the same run, by a Python Celery worker
 * (prefork, concurrency = cores, Celery's default prefetch multiplier 4), each from its own queue
 * on a dedicated Redis database.
 *
 * Ours is what `ainfo worker --celery-queues` runs: a CeleryTaskWorker finding the task by its
 * Celery name in the registry (system.debug), mapping args/kwargs with its `toPayload`, validating
 * with its schema and running it through the TaskRunner (logs at info into a sink, duration
 * metrics flushed to Redis), publishing what runs for `inspect active`, storing STARTED and the
 * result in Celery's backend and acknowledging after the result (acks_late). Python stores only the
 * result (its default task_track_started=False), with result_extended on, and acknowledges before
 * running (its default). The clock starts when a queue first shrinks and stops when it is empty and
 * nothing is unacknowledged, so neither side's start-up is counted.
 * Usage: npm run bench:celery [-- --tasks 10000 --concurrency 8 --rounds 2]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { debugTask } from '../src/modules/system/index.ts';
import { KombuKeys } from '../src/tasks/celery/index.ts';
import { CeleryTaskWorker, Deps, TaskRegistry, TaskRunner } from '../src/tasks/index.ts';
import { celeryAvailable, celeryTestEnv, cleanupCelery, PYAPP_DIR, PYTHON, startPythonWorker } from '../test/celery/helpers.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../test/helpers/redis.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    // What `ainfo worker --celery-queues` runs at once by default.
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const CORES = os.availableParallelism();
const BENCH_DB = 13;

/**
 * Python's `debug_task.apply_async((i,))` N times onto `queue` (the producer is not what is
 * measured), with ids starting with the queue name, so the cleanup finds every result.
 */
async function produce(env: Record<string, string>, queue: string): Promise<void> {
  const script = `from app import debug_task\nfor i in range(${TASKS}):\n    debug_task.apply_async((i,), queue='${queue}', task_id='${queue}-%d' % i)\n`;
  const child = spawn(PYTHON, ['-c', script], { cwd: PYAPP_DIR, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the Python producer exited with ${String(code)}`);
}

/** Seconds from the queue's first shrink until it is empty and nothing is unacknowledged. */
async function timeDrain(redis: Redis, queue: string, start: () => Promise<void>): Promise<number> {
  const keys = new KombuKeys();
  const starting = start();
  while ((await redis.llen(queue)) >= TASKS) await new Promise((resolve) => setTimeout(resolve, 2));
  const began = performance.now();
  while ((await redis.llen(queue)) > 0 || (await redis.hlen(keys.unacked)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const seconds = (performance.now() - began) / 1000;
  await starting;
  return seconds;
}

/** Our worker's Celery side as `ainfo worker` composes it, for the tasks of `registry`. */
function ourWorker(brokerUrl: string, queue: string, ours: Redis, prefix: string): CeleryTaskWorker {
  const registry = new TaskRegistry();
  registry.register(debugTask);
  // Both sides log each task at info, as `celery worker --loglevel=info` does; into a sink here.
  const log = pino({ level: 'info' }, pino.destination('/dev/null'));
  return new CeleryTaskWorker({
    registry,
    runner: new TaskRunner({ deps: new Deps(), log, redis: ours, prefix }),
    log,
    queues: [queue],
    concurrency: CONCURRENCY,
    brokerUrl,
    activity: { redis: ours, prefix },
  });
}

async function round(index: number): Promise<{ ours: number; python: number }> {
  const env = celeryTestEnv(BENCH_DB, `bench${index}`);
  const redis = new Redis(env.brokerUrl);
  const ours = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix(`bench-celery${index}`);
  const pythonEnv = env.python({ CELERY_PREFETCH_MULTIPLIER: '4' });
  const oursQueue = `${env.queue}-ours`;
  const pythonQueue = `${env.queue}-python`;
  try {
    await produce(pythonEnv, oursQueue);
    await produce(pythonEnv, pythonQueue);
    const worker = ourWorker(env.brokerUrl, oursQueue, ours, prefix);
    const oursSeconds = await timeDrain(redis, oursQueue, () => worker.start());
    await worker.close(5_000);

    let python: Awaited<ReturnType<typeof startPythonWorker>> | undefined;
    const pythonSeconds = await timeDrain(redis, pythonQueue, async () => {
      python = await startPythonWorker(pythonEnv, pythonQueue, `bench${index}`, ['--pool', 'prefork', '--concurrency', String(CORES), '--loglevel', 'info']);
    });
    await python?.stop();
    return { ours: TASKS / oursSeconds, python: TASKS / pythonSeconds };
  } finally {
    redis.disconnect();
    ours.disconnect();
    await deletePrefix(prefix);
    await cleanupCelery(env.brokerUrl, env.queue);
  }
}

if (!celeryAvailable) {
  console.error(`${PYTHON} cannot import celery: apt-get install python3-celery python3-redis`);
  process.exit(1);
}
console.log(
  `tasks=${TASKS} task=config.celery.debug_task our concurrency=${CONCURRENCY} python prefork concurrency=${CORES} rounds=${ROUNDS} load=${os.loadavg()[0]?.toFixed(2) ?? '?'}`,
);
const results: { ours: number; python: number }[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const result = await round(i);
  results.push(result);
  console.log(`round ${i + 1}: ours ${result.ours.toFixed(0)} tasks/s, Python Celery ${result.python.toFixed(0)} tasks/s`);
}
const mean = (pick: (r: { ours: number; python: number }) => number): number => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
console.log(`mean: ours ${mean((r) => r.ours).toFixed(0)} tasks/s, Python Celery ${mean((r) => r.python).toFixed(0)} tasks/s, ratio (ours/Python) ${(mean((r) => r.ours) / mean((r) => r.python)).toFixed(2)}`);
