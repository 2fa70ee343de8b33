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
 * Each side produces its own queue and drains it; after a warm-up (one drain each) the sides run
 * interleaved for `--rounds` rounds (ABBA order), and the rate is printed as the median of the
 * per-round ratios ours/Python with its min–max. `--profile` drains once more with our worker
 * under V8's CPU profiler (outside the rounds).
 * Usage: npm run bench:celery [-- --tasks 10000 --concurrency 8 --rounds 5 --profile]
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
import { interleave, machineLoad, ratioTable, summarise, withCpuProfile } from './lib/rounds.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    // What `ainfo worker --celery-queues` runs at once by default.
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
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

type Rate = { tasksPerS: number };

let drains = 0;

/** One side's drain of TASKS messages it produced onto a queue of its own; tasks/s. */
async function drain(side: 'ours' | 'python'): Promise<Rate> {
  drains += 1;
  const label = `bench${drains}`;
  const env = celeryTestEnv(BENCH_DB, label);
  const redis = new Redis(env.brokerUrl);
  const ours = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix(`bench-celery${drains}`);
  const pythonEnv = env.python({ CELERY_PREFETCH_MULTIPLIER: '4' });
  const queue = `${env.queue}-${side}`;
  try {
    await produce(pythonEnv, queue);
    if (side === 'ours') {
      const worker = ourWorker(env.brokerUrl, queue, ours, prefix);
      const seconds = await timeDrain(redis, queue, () => worker.start());
      await worker.close(5_000);
      return { tasksPerS: TASKS / seconds };
    }
    let python: Awaited<ReturnType<typeof startPythonWorker>> | undefined;
    const seconds = await timeDrain(redis, queue, async () => {
      python = await startPythonWorker(pythonEnv, queue, label, ['--pool', 'prefork', '--concurrency', String(CORES), '--loglevel', 'info']);
    });
    await python?.stop();
    return { tasksPerS: TASKS / seconds };
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
  `tasks=${TASKS} task=config.celery.debug_task our concurrency=${CONCURRENCY} python prefork concurrency=${CORES} rounds=${ROUNDS} (after a warm-up); at the start: ${machineLoad()}`,
);
const result = await interleave<Rate>({
  rounds: ROUNDS,
  ours: () => drain('ours'),
  theirs: () => drain('python'),
  onRound: (index, ours, python) => {
    console.log(
      `round ${index}: ours ${ours.tasksPerS.toFixed(0)} tasks/s, Python Celery ${python.tasksPerS.toFixed(0)} tasks/s = ${(ours.tasksPerS / python.tasksPerS).toFixed(2)}; ${machineLoad()}`,
    );
  },
});
console.log(`\n${ratioTable(result, [{ key: 'tasksPerS', label: 'drain', unit: 'tasks/s' }], { ours: 'ours', theirs: 'Python Celery' })}\n`);
if (values.profile) {
  const { value, file } = await withCpuProfile('celery-ours', () => drain('ours'));
  console.log(`profiled drain, ours: ${value.tasksPerS.toFixed(0)} tasks/s; CPU profile: ${file}`);
}
const summary = summarise(result, 'tasksPerS');
console.log(`at the end: ${machineLoad()}`);
console.log(
  `median: ours ${summary.oursMedian.toFixed(0)} tasks/s, Python Celery ${summary.theirsMedian.toFixed(0)} tasks/s, ` +
    `ratio (ours/Python) ${summary.ratio.toFixed(2)} (min–max ${summary.min.toFixed(2)}–${summary.max.toFixed(2)} over ${ROUNDS} rounds)`,
);
