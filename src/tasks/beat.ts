import type { Broker, TaskEnvelope } from './broker.ts';
import type { ScheduleEntry } from './define-task.ts';
import { QUEUE_NAMES, type QueueName } from './queues.ts';
import type { TaskRegistry } from './registry.ts';
import { formatWallTime } from '../utils/time.ts';

/** A periodic entry as stored in Redis, for `inspect scheduled` and the admin. */
export interface ScheduledEntry {
  id: string;
  task: string;
  queue: QueueName;
  cron: string;
  tz: string;
  /** Next run, as an ISO instant (UTC) and in the entry's own zone. */
  nextRunAt?: string;
  nextRunLocal?: string;
  paused: boolean;
  declared: boolean;
}

export interface SyncReport {
  upserted: string[];
  removed: string[];
  paused: string[];
}

function pausedKey(prefix: string): string {
  return `${prefix}:ainfo:schedules:paused`;
}

/** Formats an instant as local wall time in a zone: `2026-11-25 01:00:00 (Asia/Seoul)`. */
export function formatInZone(ms: number, tz: string): string {
  return `${formatWallTime(ms, tz)} (${tz})`;
}

/**
 * Beat's one job: make Redis hold exactly the declared periodic entries. Upserting a BullMQ job
 * scheduler is idempotent and each tick's job id is derived from the scheduler id and the tick
 * time, so any number of beats (or none after a sync) never fire a tick twice.
 */
export async function syncSchedules(broker: Broker, registry: TaskRegistry): Promise<SyncReport> {
  const declared = registry.scheduleEntries();
  const paused = new Set(await broker.connection.smembers(pausedKey(broker.options.prefix)));
  const report: SyncReport = { upserted: [], removed: [], paused: [] };
  const wanted = new Map<QueueName, Set<string>>();
  for (const entry of declared) {
    const ids = wanted.get(entry.task.queue) ?? new Set<string>();
    wanted.set(entry.task.queue, ids);
    if (paused.has(entry.id)) {
      report.paused.push(entry.id);
      continue;
    }
    ids.add(entry.id);
    await upsertEntry(broker, entry);
    report.upserted.push(entry.id);
  }
  for (const queueName of QUEUE_NAMES) {
    const queue = broker.queue(queueName);
    const keep = wanted.get(queueName) ?? new Set<string>();
    for (const scheduler of await queue.getJobSchedulers()) {
      const id = scheduler.id ?? scheduler.key;
      if (!keep.has(id)) {
        await queue.removeJobScheduler(id);
        report.removed.push(id);
      }
    }
  }
  return report;
}

async function upsertEntry(broker: Broker, entry: ScheduleEntry): Promise<void> {
  const task = entry.task;
  const payload = broker.validate(task, entry.payload);
  const options = broker.jobOptions(task, 'unused');
  delete options.jobId;
  await broker.queue(task.queue).upsertJobScheduler(
    entry.id,
    { pattern: entry.cron, tz: entry.tz },
    { name: task.name, data: { payload } satisfies TaskEnvelope, opts: options },
  );
}

/** Pauses a periodic entry: its scheduler is removed and beat will not restore it until resumed. */
export async function pauseSchedule(broker: Broker, registry: TaskRegistry, id: string): Promise<void> {
  const entry = requireEntry(registry, id);
  await broker.connection.sadd(pausedKey(broker.options.prefix), id);
  await broker.queue(entry.task.queue).removeJobScheduler(id);
}

export async function resumeSchedule(broker: Broker, registry: TaskRegistry, id: string): Promise<void> {
  const entry = requireEntry(registry, id);
  await broker.connection.srem(pausedKey(broker.options.prefix), id);
  await upsertEntry(broker, entry);
}

function requireEntry(registry: TaskRegistry, id: string): ScheduleEntry {
  const entry = registry.scheduleEntries().find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`no periodic entry "${id}"`);
  return entry;
}

/** The periodic entries: declared ones with their next run, plus any stored but undeclared. */
export async function listScheduled(broker: Broker, registry: TaskRegistry): Promise<ScheduledEntry[]> {
  const paused = new Set(await broker.connection.smembers(pausedKey(broker.options.prefix)));
  const stored = new Map<string, { queue: QueueName; next?: number; pattern?: string; tz?: string; name: string }>();
  for (const queueName of QUEUE_NAMES) {
    for (const scheduler of await broker.queue(queueName).getJobSchedulers()) {
      stored.set(scheduler.id ?? scheduler.key, {
        queue: queueName,
        next: scheduler.next,
        pattern: scheduler.pattern,
        tz: scheduler.tz,
        name: scheduler.name,
      });
    }
  }
  const rows: ScheduledEntry[] = registry.scheduleEntries().map((entry) => {
    const found = stored.get(entry.id);
    stored.delete(entry.id);
    return {
      id: entry.id,
      task: entry.task.name,
      queue: entry.task.queue,
      cron: entry.cron,
      tz: entry.tz,
      nextRunAt: found?.next ? new Date(found.next).toISOString() : undefined,
      nextRunLocal: found?.next ? formatInZone(found.next, entry.tz) : undefined,
      paused: paused.has(entry.id),
      declared: true,
    };
  });
  for (const [id, found] of stored) {
    const tz = found.tz ?? 'UTC';
    rows.push({
      id,
      task: found.name,
      queue: found.queue,
      cron: found.pattern ?? '',
      tz,
      nextRunAt: found.next ? new Date(found.next).toISOString() : undefined,
      nextRunLocal: found.next ? formatInZone(found.next, tz) : undefined,
      paused: false,
      declared: false,
    });
  }
  return rows;
}
