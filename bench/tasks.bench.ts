/**
 * Task layer vs plain BullMQ, in one run on the same Redis:
 *   - drain: N no-op tasks already queued, time until a worker (same concurrency) finished them all;
 *   - enqueue: N single enqueues, 100 in flight;
 *   - round trip: 500 sequential enqueue + wait for the return value (and, ours only, for the full
 *     result record, which costs one more read).
 * Both sides use the same job options (attempts, backoff, result retention) so that only the
 * layer itself differs. Usage: npm run bench:tasks [-- --tasks 20000 --concurrency 50]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents, Worker, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { loadConfig } from '../src/config/config.ts';
import { openCore } from '../src/processes/compose.ts';
import { createLogger } from '../src/log/logger.ts';
import { defineTask, Deps, TaskRegistry, TaskWorker } from '../src/tasks/index.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    'round-trips': { type: 'string', default: '500' },
  },
});
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const ROUND_TRIPS = Number(values['round-trips']);
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

interface Figures {
  drainPerS: number;
  enqueuePerS: number;
  /** enqueue + results.value (ours) / add + waitUntilFinished (plain): the return value. */
  rtP50: number;
  rtP99: number;
  /** enqueue + results.wait: the full result record (ours only). */
  fullP50?: number;
  fullP99?: number;
}

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
    return { drainPerS, enqueuePerS, rtP50: percentile(latencies, 50), rtP99: percentile(latencies, 99) };
  } finally {
    await queue.close();
    connection.disconnect();
    await deletePrefix(prefix);
  }
}

const fmt = (value: number, digits = 0): string => value.toFixed(digits).padStart(9);

console.log(`tasks=${TASKS} concurrency=${CONCURRENCY} round-trips=${ROUND_TRIPS} redis=${REDIS_URL}`);
// Interleaved after a warm-up (JIT, Redis memory): plain, ours, plain, ours, averaged per side, so
// that drift over the run favours neither.
function average(runs: Figures[]): Figures {
  const mean = (pick: (figures: Figures) => number | undefined): number =>
    runs.reduce((sum, figures) => sum + (pick(figures) ?? 0), 0) / runs.length;
  return {
    drainPerS: mean((f) => f.drainPerS),
    enqueuePerS: mean((f) => f.enqueuePerS),
    rtP50: mean((f) => f.rtP50),
    rtP99: mean((f) => f.rtP99),
    fullP50: mean((f) => f.fullP50),
    fullP99: mean((f) => f.fullP99),
  };
}
await benchPlain();
const plainRuns: Figures[] = [];
const oursRuns: Figures[] = [];
for (let round = 0; round < 2; round += 1) {
  plainRuns.push(await benchPlain());
  oursRuns.push(await benchOurs());
}
const plain = average(plainRuns);
const ours = average(oursRuns);
console.log('                      ours      plain BullMQ   ratio');
console.log(`drain (tasks/s)   ${fmt(ours.drainPerS)}   ${fmt(plain.drainPerS)}   ${(ours.drainPerS / plain.drainPerS).toFixed(2)}`);
console.log(`enqueue (tasks/s) ${fmt(ours.enqueuePerS)}   ${fmt(plain.enqueuePerS)}   ${(ours.enqueuePerS / plain.enqueuePerS).toFixed(2)}`);
console.log(`round trip p50 ms ${fmt(ours.rtP50, 2)}   ${fmt(plain.rtP50, 2)}   ${(ours.rtP50 / plain.rtP50).toFixed(2)}   (enqueue + results.value vs add + waitUntilFinished)`);
console.log(`round trip p99 ms ${fmt(ours.rtP99, 2)}   ${fmt(plain.rtP99, 2)}   ${(ours.rtP99 / plain.rtP99).toFixed(2)}`);
console.log(`full record p50/p99 ms (enqueue + results.wait): ${(ours.fullP50 ?? 0).toFixed(2)} / ${(ours.fullP99 ?? 0).toFixed(2)}`);
console.log(`throughput ratio (ours/plain BullMQ): ${(ours.drainPerS / plain.drainPerS).toFixed(2)}`);
process.exit(0);
