import type { Broker, TaskEnvelope } from './broker.ts';
import { readCeleryActive } from './celery/activity.ts';
import { DURATION_BUCKETS_S, durationsKey } from './metrics.ts';
import { QUEUE_NAMES, type QueueName } from './queues.ts';

export interface QueueStats {
  queue: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
  workers: number;
}

export interface ActiveTask {
  id: string;
  name: string;
  /** One of ours, or for a Celery message the kombu queue it came from. */
  queue: string;
  payload: unknown;
  startedAt?: string;
  attempts: number;
  progress: unknown;
  /** For a Celery message run by our worker: the Celery name it came as. */
  celeryTask?: string;
}

export interface FailedTask {
  id: string;
  name: string;
  queue: QueueName;
  error: string;
  failedAt?: string;
  attempts: number;
}

/** Per-queue counts and workers seen (Celery's `inspect stats`, from Redis: every worker counts). */
export async function queueStats(broker: Broker): Promise<QueueStats[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = broker.queue(name);
      const [counts, paused, workers] = await Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
        queue.isPaused(),
        queue.getWorkersCount(),
      ]);
      return {
        queue: name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
        paused,
        workers,
      };
    }),
  );
}

/** Workers connected to any queue, by name (host:pid). */
export async function workersSeen(broker: Broker): Promise<{ name: string; queues: QueueName[] }[]> {
  const byName = new Map<string, QueueName[]>();
  for (const name of QUEUE_NAMES) {
    for (const worker of await broker.queue(name).getWorkers()) {
      const workerName = worker.rawname ? worker.rawname.replace(/^.*:w:/, '') : (worker.name ?? 'unknown');
      byName.set(workerName, [...(byName.get(workerName) ?? []), name]);
    }
  }
  return [...byName].map(([name, queues]) => ({ name, queues }));
}

/**
 * Tasks running now on any worker (Celery's `inspect active`): BullMQ's active jobs, then the Celery
 * messages our workers run (as they published them, at most a second ago).
 */
export async function activeTasks(broker: Broker, limit = 100): Promise<ActiveTask[]> {
  const perQueue = await Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const jobs = await broker.queue(queue).getActive(0, limit - 1);
      return jobs.map((job) => ({
        id: job.id ?? '',
        name: job.name,
        queue,
        payload: (job.data as TaskEnvelope | undefined)?.payload,
        startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : undefined,
        attempts: job.attemptsStarted,
        progress: job.progress,
      }));
    }),
  );
  const celery = (await readCeleryActive(broker.connection, broker.options.prefix)).slice(0, limit);
  return [...perQueue.flat(), ...celery.map(({ worker: _worker, ...task }): ActiveTask => task)];
}

/** The most recent failures over every queue, newest first. */
export async function recentFailures(broker: Broker, limit = 20): Promise<FailedTask[]> {
  const perQueue = await Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const jobs = await broker.queue(queue).getFailed(0, limit - 1);
      return jobs.map((job) => ({
        id: job.id ?? '',
        name: job.name,
        queue,
        error: job.failedReason,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
        attempts: job.attemptsMade,
      }));
    }),
  );
  return perQueue
    .flat()
    .sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''))
    .slice(0, limit);
}

export interface DurationSeries {
  task: string;
  status: 'success' | 'failure';
  buckets: { le: string; count: number }[];
  sumSeconds: number;
  count: number;
}

/** Every worker's task duration histograms, as flushed to Redis. */
export async function taskDurations(broker: Broker): Promise<DurationSeries[]> {
  const raw = await broker.connection.hgetall(durationsKey(broker.options.prefix));
  const series = new Map<string, DurationSeries>();
  for (const [field, value] of Object.entries(raw)) {
    const [task, status, bound] = field.split('|');
    if (!task || (status !== 'success' && status !== 'failure') || !bound) continue;
    const key = `${task}|${status}`;
    const entry = series.get(key) ?? { task, status, buckets: [], sumSeconds: 0, count: 0 };
    series.set(key, entry);
    const count = Number(value);
    if (bound === 'sum_ms') entry.sumSeconds = count / 1000;
    else {
      entry.buckets.push({ le: bound, count });
      if (bound === '+Inf') entry.count = count;
    }
  }
  const order = [...DURATION_BUCKETS_S.map(String), '+Inf'];
  for (const entry of series.values()) entry.buckets.sort((a, b) => order.indexOf(a.le) - order.indexOf(b.le));
  return [...series.values()];
}

/** Celery's `purge`: drops the waiting and delayed tasks of one queue; returns how many. */
export async function purgeQueue(broker: Broker, name: QueueName): Promise<number> {
  const queue = broker.queue(name);
  const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
  await queue.drain(true);
  return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
}
