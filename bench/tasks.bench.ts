/**
 * Task layer vs plain BullMQ, in one run on the same Redis:
 *   - drain: N no-op tasks already queued, time until a worker (same concurrency) finished them all;
 *   - enqueue: N single enqueues, 100 in flight;
 *   - round trip: 500 sequential enqueue + wait for the return value (and, ours only, for the full
 *     result record, which costs one more read).
 * Both sides use the same job options (attempts, backoff, result retention) so that only the
 * layer itself differs. After a warm-up the sides run interleaved for `--rounds` rounds: drain and
 * enqueue side after side (ABBA order over the rounds), the round trips alternating one by one, so
 * both sides' latencies come from the same seconds of machine load. Each measure is printed as
 * the median of the per-round ratios with its min–max.
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
import { deletePrefix, percentile } from './bench-kit.ts';
import { machineLoad, ratioTable, summarise, topSelfTime, withCpuProfile, type Measure, type RoundsResult } from './lib/rounds.ts';

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

function cpuPerTask(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / TASKS;
}

async function waitForDrain(queue: Queue, total: number): Promise<void> {
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= total) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}


type Figures = {
  drainPerS: number;
  enqueuePerS: number;
  /** This process's CPU (user + system) per task while draining / enqueueing, µs: less load-sensitive than rates. */
  drainCpuUs: number;
  enqueueCpuUs: number;
  /** enqueue + results.value (ours) / add + waitUntilFinished (plain): the return value. */
  rtP50: number;
  rtP99: number;
  /** enqueue + results.wait: the full result record (ours only; 0 for plain). */
  fullP50: number;
};

/** One side of the comparison: its own queue prefix, and the three measures as steps. */
interface Side {
  /** Queues TASKS no-op tasks, then times a worker draining them. */
  drain(): Promise<{ perS: number; cpuUs: number }>;
  enqueue(): Promise<{ perS: number; cpuUs: number }>;
  /** Starts a worker for the round trips; `roundTrip` then times one, `full` (ours) the full record. */
  startRoundTrips(): Promise<void>;
  roundTrip(i: number): Promise<number>;
  full?(i: number): Promise<number>;
  close(): Promise<void>;
}

async function timed(work: () => Promise<void>): Promise<{ perS: number; cpuUs: number }> {
  const began = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const perS = TASKS / ((performance.now() - began) / 1000);
  return { perS, cpuUs: cpuPerTask(cpu) };
}

async function ourSide(): Promise<Side> {
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
  let rtWorker: TaskWorker | undefined;
  return {
    async drain() {
      for (let start = 0; start < TASKS; start += 1000) {
        await broker.enqueueMany(noop, Array.from({ length: Math.min(1000, TASKS - start) }, (_, k) => ({ payload: { i: start + k } })));
      }
      let worker: TaskWorker | undefined;
      const figures = await timed(async () => {
        worker = await startWorker();
        await waitForDrain(queue, TASKS);
      });
      await worker?.close(10_000);
      await queue.obliterate({ force: true });
      return figures;
    },
    async enqueue() {
      const figures = await timed(() => inFlight(TASKS, IN_FLIGHT, (i) => broker.enqueue(noop, { i })));
      await queue.obliterate({ force: true });
      return figures;
    },
    async startRoundTrips() {
      rtWorker = await startWorker();
    },
    async roundTrip(i) {
      const t0 = performance.now();
      const ref = await broker.enqueue(noop, { i });
      if ((await results.value(ref.id, { timeoutMs: 10_000 })) !== i) throw new Error(`round trip ${i}: wrong value`);
      return performance.now() - t0;
    },
    async full(i) {
      const t0 = performance.now();
      const ref = await broker.enqueue(noop, { i });
      const result = await results.wait(ref.id, { timeoutMs: 10_000 });
      if (result.state !== 'SUCCESS') throw new Error(`round trip ${i}: ${result.state}`);
      return performance.now() - t0;
    },
    async close() {
      await rtWorker?.close(10_000);
      await core.close();
      await deletePrefix(REDIS_URL, prefix);
    },
  };
}

function plainSide(): Side {
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
  let rtWorker: Worker | undefined;
  let events: QueueEvents | undefined;
  return {
    async drain() {
      for (let start = 0; start < TASKS; start += 1000) {
        await queue.addBulk(Array.from({ length: Math.min(1000, TASKS - start) }, (_, k) => ({ name: 'bench.noop', data: { i: start + k }, opts })));
      }
      let worker: Worker | undefined;
      const figures = await timed(async () => {
        worker = await startWorker();
        await waitForDrain(queue, TASKS);
      });
      await worker?.close();
      await queue.obliterate({ force: true });
      return figures;
    },
    async enqueue() {
      const figures = await timed(() => inFlight(TASKS, IN_FLIGHT, (i) => queue.add('bench.noop', { i }, opts)));
      await queue.obliterate({ force: true });
      return figures;
    },
    async startRoundTrips() {
      rtWorker = await startWorker();
      events = new QueueEvents('default', { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix });
      await events.waitUntilReady();
    },
    async roundTrip(i) {
      if (!events) throw new Error('round trips not started');
      const t0 = performance.now();
      const job = await queue.add('bench.noop', { i }, opts);
      if ((await job.waitUntilFinished(events, 10_000)) !== i) throw new Error(`round trip ${i}: wrong value`);
      return performance.now() - t0;
    },
    async close() {
      await events?.close();
      await rtWorker?.close();
      await queue.close();
      connection.disconnect();
      await deletePrefix(REDIS_URL, prefix);
    },
  };
}

/**
 * One round: drain and enqueue one side after the other (`oursFirst` decides the order), then
 * the round trips alternating between the sides one by one.
 */
async function round(oursFirst: boolean): Promise<{ ours: Figures; plain: Figures }> {
  const ours = await ourSide();
  const plain = plainSide();
  try {
    const order = oursFirst ? [ours, plain] : [plain, ours];
    const drains = new Map<Side, { perS: number; cpuUs: number }>();
    for (const side of order) drains.set(side, await side.drain());
    const enqueues = new Map<Side, { perS: number; cpuUs: number }>();
    for (const side of order) enqueues.set(side, await side.enqueue());
    await ours.startRoundTrips();
    await plain.startRoundTrips();
    const latencies = new Map<Side, number[]>([
      [ours, []],
      [plain, []],
    ]);
    const full: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i += 1) {
      for (const side of i % 2 === 0 ? order : [...order].reverse()) latencies.get(side)?.push(await side.roundTrip(i));
      if (ours.full) full.push(await ours.full(i));
    }
    const figures = (side: Side, fullLatencies: number[]): Figures => {
      const sorted = (latencies.get(side) ?? []).sort((a, b) => a - b);
      fullLatencies.sort((a, b) => a - b);
      return {
        drainPerS: drains.get(side)?.perS ?? 0,
        drainCpuUs: drains.get(side)?.cpuUs ?? 0,
        enqueuePerS: enqueues.get(side)?.perS ?? 0,
        enqueueCpuUs: enqueues.get(side)?.cpuUs ?? 0,
        rtP50: percentile(sorted, 50),
        rtP99: percentile(sorted, 99),
        fullP50: percentile(fullLatencies, 50),
      };
    };
    return { ours: figures(ours, full), plain: figures(plain, []) };
  } finally {
    await ours.close();
    await plain.close();
  }
}

console.log(`tasks=${TASKS} concurrency=${CONCURRENCY} round-trips=${ROUND_TRIPS} rounds=${ROUNDS} redis=${REDIS_URL}`);
console.log(`at the start: ${machineLoad()}`);
await round(false);
const result: RoundsResult<Figures> = { ours: [], theirs: [] };
for (let index = 0; index < ROUNDS; index += 1) {
  const { ours, plain } = await round(index % 2 === 1);
  result.ours.push(ours);
  result.theirs.push(plain);
  console.log(
    `round ${index + 1}: drain ${ours.drainPerS.toFixed(0)}/${plain.drainPerS.toFixed(0)} = ${(ours.drainPerS / plain.drainPerS).toFixed(2)}, ` +
      `enqueue ${(ours.enqueuePerS / plain.enqueuePerS).toFixed(2)}, rt p50 ${ours.rtP50.toFixed(2)}/${plain.rtP50.toFixed(2)} ms = ${(ours.rtP50 / plain.rtP50).toFixed(2)}, ` +
      `rt p99 ${(ours.rtP99 / plain.rtP99).toFixed(2)}; ${machineLoad()}`,
  );
}
const measures: Measure<Figures>[] = [
  { key: 'drainPerS', label: 'drain', unit: 'tasks/s' },
  { key: 'enqueuePerS', label: 'enqueue', unit: 'tasks/s' },
  { key: 'drainCpuUs', label: 'drain CPU per task', unit: 'µs' },
  { key: 'enqueueCpuUs', label: 'enqueue CPU per task', unit: 'µs' },
  { key: 'rtP50', label: 'round trip p50', unit: 'ms', digits: 2 },
  { key: 'rtP99', label: 'round trip p99', unit: 'ms', digits: 2 },
];
console.log(ratioTable(result, measures, { ours: 'ours', theirs: 'plain BullMQ' }));
const full = summarise({ ours: result.ours, theirs: result.ours }, 'fullP50');
console.log(`round trip: enqueue + results.value vs add + waitUntilFinished; full record (enqueue + results.wait) p50 ${full.oursMedian.toFixed(2)} ms (median of rounds)`);
console.log(`at the end: ${machineLoad()}`);
if (values.profile) {
  const { file } = await withCpuProfile('tasks-ours', async () => {
    const ours = await ourSide();
    try {
      await ours.drain();
      await ours.enqueue();
    } finally {
      await ours.close();
    }
  });
  console.log(`CPU profile of our side's drain and enqueue, run once more: ${file}`);
  for (const line of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof topSelfTime>[0])) console.log(`  ${line}`);
}
console.log(`throughput ratio (ours/plain BullMQ): ${summarise(result, 'drainPerS').ratio.toFixed(2)}`);
process.exit(0);
