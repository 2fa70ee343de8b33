/**
 * Celery messages from a Python producer, drained by our CeleryConsumer and, in the same run, by a
 * Python Celery worker (prefork, concurrency = cores, Celery's default prefetch multiplier 4).
 * Both consume the same kind of message (`tests.add`, protocol 2, JSON) from their own queue on a
 * dedicated Redis database, store results in Celery's backend (result_extended on both sides) and
 * acknowledge the kombu way (ours after the result, Python's default before running). The clock
 * starts when the queue first shrinks and stops when it is empty and nothing is unacknowledged.
 * Usage: npm run bench:celery [-- --tasks 10000 --concurrency 50 --rounds 2]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { CeleryConsumer, KombuKeys, type CeleryExecute } from '../src/tasks/celery/index.ts';
import { celeryAvailable, celeryTestEnv, cleanupCelery, PYAPP_DIR, PYTHON, startPythonWorker } from '../test/celery/helpers.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const CORES = os.availableParallelism();
const BENCH_DB = 13;

const add: CeleryExecute = async (message) => {
  const [x, y] = message.args;
  return Promise.resolve({ status: 'success', result: Number(x) + Number(y) });
};

/** Python's `add.delay(i, i)` N times onto `queue` (the producer is not what is measured). */
async function produce(env: Record<string, string>, queue: string): Promise<void> {
  const script = `from app import add\nfor i in range(${TASKS}):\n    add.apply_async((i, i), queue='${queue}')\n`;
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

async function round(index: number): Promise<{ ours: number; python: number }> {
  const env = celeryTestEnv(BENCH_DB, `bench${index}`);
  const redis = new Redis(env.brokerUrl);
  const pythonEnv = env.python({ CELERY_PREFETCH_MULTIPLIER: '4' });
  const oursQueue = `${env.queue}-ours`;
  const pythonQueue = `${env.queue}-python`;
  try {
    await produce(pythonEnv, oursQueue);
    await produce(pythonEnv, pythonQueue);
    const consumer = new CeleryConsumer({
      brokerUrl: env.brokerUrl,
      queues: [oursQueue],
      concurrency: CONCURRENCY,
      execute: add,
      // Both sides log each task at info, as `celery worker --loglevel=info` does; into a sink here.
      log: pino({ level: 'info' }, pino.destination('/dev/null')),
      trackStarted: false,
      resultExtended: true,
    });
    const ours = await timeDrain(redis, oursQueue, () => consumer.start());
    await consumer.close();

    let worker: Awaited<ReturnType<typeof startPythonWorker>> | undefined;
    const python = await timeDrain(redis, pythonQueue, async () => {
      worker = await startPythonWorker(pythonEnv, pythonQueue, `bench${index}`, ['--pool', 'prefork', '--concurrency', String(CORES), '--loglevel', 'info']);
    });
    await worker?.stop();
    return { ours: TASKS / ours, python: TASKS / python };
  } finally {
    redis.disconnect();
    await cleanupCelery(env.brokerUrl, env.queue);
  }
}

if (!celeryAvailable) {
  console.error(`${PYTHON} cannot import celery: apt-get install python3-celery python3-redis`);
  process.exit(1);
}
console.log(`tasks=${TASKS} our concurrency=${CONCURRENCY} python prefork concurrency=${CORES} rounds=${ROUNDS} load=${os.loadavg()[0]?.toFixed(2) ?? '?'}`);
const results: { ours: number; python: number }[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const result = await round(i);
  results.push(result);
  console.log(`round ${i + 1}: ours ${result.ours.toFixed(0)} tasks/s, Python Celery ${result.python.toFixed(0)} tasks/s`);
}
const mean = (pick: (r: { ours: number; python: number }) => number): number => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
console.log(`mean: ours ${mean((r) => r.ours).toFixed(0)} tasks/s, Python Celery ${mean((r) => r.python).toFixed(0)} tasks/s, ratio (ours/Python) ${(mean((r) => r.ours) / mean((r) => r.python)).toFixed(2)}`);
