import type { Broker } from './broker.ts';
import type { TaskRef } from './producer.ts';
import { QUEUE_NAMES, type QueueName } from './queues.ts';
import type { TaskRegistry } from './registry.ts';

/** Celery's `AsyncResult.retry` for the admin: what happened to the request. */
export type RetryOutcome = 'retried' | 'not-failed' | 'missing';

/**
 * Runs a failed task again under the same id (BullMQ moves the job from failed back to waiting,
 * with its attempts reset). Anything not failed is left alone.
 */
export async function retryFailedTask(broker: Broker, id: string): Promise<RetryOutcome> {
  const job = await broker.findJob(id);
  if (!job) return 'missing';
  if ((await job.getState()) !== 'failed') return 'not-failed';
  await job.retry('failed');
  return 'retried';
}

function manualRunsKey(prefix: string): string {
  return `${prefix}:ainfo:schedules:manual-runs`;
}

/** One run of a periodic entry, fired by its schedule or by "run now". */
export interface ScheduleRun {
  taskId: string;
  /** Epoch ms the run was enqueued. */
  at: number;
  via: 'schedule' | 'manual';
}

/** "Run now": enqueues the entry's task with its declared payload, outside its schedule. */
export async function runScheduleNow(broker: Broker, registry: TaskRegistry, scheduleId: string): Promise<TaskRef> {
  const entry = registry.scheduleEntries().find((candidate) => candidate.id === scheduleId);
  if (!entry) throw new Error(`no periodic entry "${scheduleId}"`);
  const ref = await broker.enqueue(entry.task, entry.payload);
  const run: ScheduleRun = { taskId: ref.id, at: Date.now(), via: 'manual' };
  await broker.connection.hset(manualRunsKey(broker.options.prefix), scheduleId, JSON.stringify(run));
  return ref;
}

/** How many recent jobs per queue are looked through for runs fired by a schedule. */
const SCAN_JOBS = 500;

/**
 * The last run of each periodic entry: the newest job its scheduler fired that is still retained
 * (waiting, running or finished; the delayed one is the next run, not the last) or the last
 * "run now", whichever is newer.
 */
export async function lastScheduleRuns(broker: Broker, registry: TaskRegistry): Promise<Map<string, ScheduleRun>> {
  const entries = registry.scheduleEntries();
  const runs = new Map<string, ScheduleRun>();
  const keep = (id: string, run: ScheduleRun): void => {
    const known = runs.get(id);
    if (!known || known.at < run.at) runs.set(id, run);
  };
  const wanted = new Set(entries.map((entry) => entry.id));
  const queues = new Set<QueueName>(entries.map((entry) => entry.task.queue).filter((queue) => QUEUE_NAMES.includes(queue)));
  for (const queue of queues) {
    const jobs = await broker.queue(queue).getJobs(['active', 'completed', 'failed', 'waiting', 'prioritized'], 0, SCAN_JOBS - 1);
    for (const job of jobs) {
      const schedulerId = job.repeatJobKey;
      if (schedulerId && wanted.has(schedulerId) && job.id) keep(schedulerId, { taskId: job.id, at: job.timestamp, via: 'schedule' });
    }
  }
  const manual = await broker.connection.hgetall(manualRunsKey(broker.options.prefix));
  for (const [id, raw] of Object.entries(manual)) {
    if (wanted.has(id)) keep(id, JSON.parse(raw) as ScheduleRun);
  }
  return runs;
}
