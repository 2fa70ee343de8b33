/**
 * Task layer vs plain BullMQ, in one run on the same Redis:
 *   - drain: N no-op tasks already queued, time until a worker (same concurrency) finished them all;
 *   - enqueue: N single enqueues, 100 in flight;
 *   - round trip: 500 sequential enqueue + wait for the return value (and, ours only, for the full
 *     result record, which costs one more read).
 * Both sides use the same job options (attempts, backoff, result retention) so that only the
 * layer itself differs. After a warm-up the sides run interleaved for `--rounds` rounds (ABBA
 * order); each measure is printed as the median of the per-round ratios with its min–max.
 * `--profile` runs our side once more under V8's CPU profiler and prints where the profile went.
 * Usage: npm run bench:tasks [-- --tasks 20000 --concurrency 50 --round-trips 500 --rounds 5 --profile]
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { loadConfig } from '../src/config/config.ts';
import { openCore } from '../src/processes/compose.ts';
import { createLogger } from '../src/log/logger.ts';
import { defineTask, Deps, TaskRegistry, TaskWorker } from '../src/tasks/index.ts';
import { interleave, machineLoad, ratioTable, summarise, topSelfTime, withCpuProfile, type Measure } from './lib/rounds.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    'round-trips': { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const ROUND_TRIPS = Number(values['round-trips']);
const ROUNDS = Number(values.rounds);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const IN_FLIGHT = 100;

const noop = defineTask({ name: 'bench.noop', queue: 'default', schema: z.object({ i: z.number().int() }) }, async ({ i }) =>
  Promise.resolve(i),
);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function inFlight(count: number, limit: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        await work(i);
      }
    }),
  );
}

async function waitForDrain(queue: Queue, total: number): Promise<void> {
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= total) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

type Figures = {
  drainPerS: number;
  enqueuePerS: number;
  /** enqueue + results.value (ours) / add + waitUntilFinished (plain): the return value. */
  rtP50: number;
  rtP99: number;
  /** enqueue + results.wait: the full result record (ours only). */
  fullP50: number;
  fullP99: number;
};

async function benchOurs(): Promise<Figures> {
  const prefix = `ainfo-bench-ours-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' });
  const core = await openCore(config, createLogger('warn'), 'cli');
  const { broker, results } = core;
  const registry = new TaskRegistry();
  registry.register(noop);
  const queue = broker.queue('default');
  const startWorker = async (): Promise<TaskWorker> => {
    const worker = new TaskWorker({ broker, registry, deps: new Deps(), log: core.log, queues: ['default'], concurrency: CONCURRENCY, lockMs: 30_000 });
    await worker.start();
    return worker;
  };
  try {
    for (let start = 0; start < TASKS; start += 1000) {
      await broker.enqueueMany(noop, Array.from({ length: Math.min(1000, TASKS - start) }, (_, k) => ({ payload: { i: start + k } })));
    }
    let began = performance.now();
    const worker = await startWorker();
    await waitForDrain(queue, TASKS);
    const drainPerS = TASKS / ((performance.now() - began) / 1000);
    await worker.close(10_000);
    await queue.obliterate({ force: true });

    began = performance.now();
    await inFlight(TASKS, IN_FLIGHT, (i) => broker.enqueue(noop, { i }));
    const enqueuePerS = TASKS / ((performance.now() - began) / 1000);
    await queue.obliterate({ force: true });

    const rtWorker = await startWorker();
    const latencies: number[] = [];
    const full: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i += 1) {
      let t0 = performance.now();
      const ref = await broker.enqueue(noop, { i });
      if ((await results.value(ref.id, { timeoutMs: 10_000 })) !== i) throw new Error(`round trip ${i}: wrong value`);
      latencies.push(performance.now() - t0);
      t0 = performance.now();
      const again = await broker.enqueue(noop, { i });
      const result = await results.wait(again.id, { timeoutMs: 10_000 });
      if (result.state !== 'SUCCESS') throw new Error(`round trip ${i}: ${result.state}`);
      full.push(performance.now() - t0);
    }
    await rtWorker.close(10_000);
    latencies.sort((a, b) => a - b);
    full.sort((a, b) => a - b);
    return {
      drainPerS,
      enqueuePerS,
      rtP50: percentile(latencies, 50),
      rtP99: percentile(latencies, 99),
      fullP50: percentile(full, 50),
      fullP99: percentile(full, 99),
    };
  } finally {
    await core.close();
    await deletePrefix(prefix);
  }
}

async function benchPlain(): Promise<Figures> {
  const prefix = `ainfo-bench-plain-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('default', { connection, prefix });
  const opts: JobsOptions = {
    attempts: noop.retry.attempts,
    backoff: { type: 'exponential', delay: noop.retry.backoffMs },
    removeOnComplete: { age: 86_400, count: 100_000 },
    removeOnFail: { age: 86_400, count: 100_000 },
  };
  const startWorker = async (): Promise<Worker> => {
    const worker = new Worker('default', (job) => Promise.resolve((job.data as { i: number }).i), {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix,
      concurrency: CONCURRENCY,
    });
    await worker.waitUntilReady();
    return worker;
  };
  try {
    for (let start = 0; start < TASKS; start += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, TASKS - start) }, (_, k) => ({
          name: 'bench.noop',
          data: { i: start + k },
          opts,
        })),
      );
    }
    let began = performance.now();
    const worker = await startWorker();
    await waitForDrain(queue, TASKS);
    const drainPerS = TASKS / ((performance.now() - began) / 1000);
    await worker.close();
    await queue.obliterate({ force: true });

    began = performance.now();
    await inFlight(TASKS, IN_FLIGHT, (i) => queue.add('bench.noop', { i }, opts));
    const enqueuePerS = TASKS / ((performance.now() - began) / 1000);
    await queue.obliterate({ force: true });

    const rtWorker = await startWorker();
    const events = new QueueEvents('default', { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix });
    await events.waitUntilReady();
    const latencies: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i += 1) {
      const t0 = performance.now();
      const job = await queue.add('bench.noop', { i }, opts);
      await job.waitUntilFinished(events, 10_000);
      latencies.push(performance.now() - t0);
    }
    await events.close();
    await rtWorker.close();
    latencies.sort((a, b) => a - b);
    return { drainPerS, enqueuePerS, rtP50: percentile(latencies, 50), rtP99: percentile(latencies, 99), fullP50: 0, fullP99: 0 };
  } finally {
    await queue.close();
    connection.disconnect();
    await deletePrefix(prefix);
  }
}

console.log(`tasks=${TASKS} concurrency=${CONCURRENCY} round-trips=${ROUND_TRIPS} rounds=${ROUNDS} redis=${REDIS_URL}`);
console.log(`at the start: ${machineLoad()}`);
const result = await interleave<Figures>({
  rounds: ROUNDS,
  ours: benchOurs,
  theirs: benchPlain,
  onRound: (round, ours, plain) => {
    console.log(
      `round ${round}: drain ${ours.drainPerS.toFixed(0)}/${plain.drainPerS.toFixed(0)} = ${(ours.drainPerS / plain.drainPerS).toFixed(2)}, ` +
        `enqueue ${(ours.enqueuePerS / plain.enqueuePerS).toFixed(2)}, rt p50 ${ours.rtP50.toFixed(2)}/${plain.rtP50.toFixed(2)} ms = ${(ours.rtP50 / plain.rtP50).toFixed(2)}, ` +
        `rt p99 ${(ours.rtP99 / plain.rtP99).toFixed(2)}`,
    );
  },
});
const measures: Measure<Figures>[] = [
  { key: 'drainPerS', label: 'drain', unit: 'tasks/s' },
  { key: 'enqueuePerS', label: 'enqueue', unit: 'tasks/s' },
  { key: 'rtP50', label: 'round trip p50', unit: 'ms', digits: 2 },
  { key: 'rtP99', label: 'round trip p99', unit: 'ms', digits: 2 },
];
console.log(ratioTable(result, measures, { ours: 'ours', theirs: 'plain BullMQ' }));
const full = summarise({ ours: result.ours, theirs: result.ours }, 'fullP50');
console.log(`round trip: enqueue + results.value vs add + waitUntilFinished; full record (enqueue + results.wait) p50 ${full.oursMedian.toFixed(2)} ms (median of rounds)`);
console.log(`at the end: ${machineLoad()}`);
if (values.profile) {
  const { file } = await withCpuProfile('tasks-ours', benchOurs);
  console.log(`CPU profile of one more run of our side: ${file}`);
  for (const line of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof topSelfTime>[0])) console.log(`  ${line}`);
}
console.log(`throughput ratio (ours/plain BullMQ): ${summarise(result, 'drainPerS').ratio.toFixed(2)}`);
process.exit(0);
