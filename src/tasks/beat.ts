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
  /** Written: missing from Redis (first start, Redis came back empty, removed by hand) or changed. */
  upserted: string[];
  /** Already in Redis as declared: left alone, with its pending run. */
  unchanged: string[];
  removed: string[];
  paused: string[];
}

function pausedKey(prefix: string): string {
  return `${prefix}:ainfo:schedules:paused`;
}

/** What beat last wrote for each entry (entry id → fingerprint), to tell a declared entry unchanged. */
function fingerprintsKey(prefix: string): string {
  return `${prefix}:ainfo:schedules:fingerprints`;
}

/** Formats an instant as local wall time in a zone: `2026-11-25 01:00:00 (Asia/Seoul)`. */
export function formatInZone(ms: number, tz: string): string {
  return `${formatWallTime(ms, tz)} (${tz})`;
}

/**
 * Beat's one job: make Redis hold exactly the declared periodic entries. Each tick's job id is
 * derived from the scheduler id and the tick time, so any number of beats never fire a tick twice.
 *
 * An entry already stored as declared is left alone. Upserting it again (BullMQ's override) removes
 * its pending run when that run is due but still waiting for a busy worker, and schedules the next
 * slot after now instead: every beat start and every 60 s re-sync then dropped a due run, and a
 * daily task whose run waited behind a broadcast lost that day's run.
 */
export async function syncSchedules(broker: Broker, registry: TaskRegistry): Promise<SyncReport> {
  const { prefix } = broker.options;
  const declared = registry.scheduleEntries();
  const paused = new Set(await broker.connection.smembers(pausedKey(prefix)));
  const written = await broker.connection.hgetall(fingerprintsKey(prefix));
  const stored = new Map<string, QueueName>();
  const nextRun = new Map<string, number | undefined>();
  for (const queueName of QUEUE_NAMES) {
    for (const scheduler of await broker.queue(queueName).getJobSchedulers()) {
      stored.set(scheduler.id ?? scheduler.key, queueName);
      nextRun.set(scheduler.id ?? scheduler.key, scheduler.next);
    }
  }
  const report: SyncReport = { upserted: [], unchanged: [], removed: [], paused: [] };
  const wanted = new Map<QueueName, Set<string>>();
  for (const entry of declared) {
    const ids = wanted.get(entry.task.queue) ?? new Set<string>();
    wanted.set(entry.task.queue, ids);
    if (paused.has(entry.id)) {
      report.paused.push(entry.id);
      continue;
    }
    ids.add(entry.id);
    const scheduler = schedulerOf(broker, entry);
    if (
      stored.get(entry.id) === entry.task.queue &&
      written[entry.id] === scheduler.fingerprint &&
      (await hasPendingRun(broker, entry.task.queue, entry.id, nextRun.get(entry.id)))
    ) {
      report.unchanged.push(entry.id);
      continue;
    }
    await writeScheduler(broker, entry, scheduler);
    report.upserted.push(entry.id);
  }
  for (const [id, queueName] of stored) {
    if (wanted.get(queueName)?.has(id)) continue;
    await broker.queue(queueName).removeJobScheduler(id);
    await broker.connection.hdel(fingerprintsKey(prefix), id);
    report.removed.push(id);
  }
  return report;
}

/**
 * Whether the entry's next run is still there to run. A scheduler whose run was removed (a queue
 * drained by hand, a job deleted) would never fire again; the upsert re-creates it, as the
 * minute re-sync always did.
 */
async function hasPendingRun(broker: Broker, queueName: QueueName, id: string, next: number | undefined): Promise<boolean> {
  if (next === undefined || !Number.isFinite(next)) return false;
  const state = await broker.queue(queueName).getJobState(`repeat:${id}:${next}`);
  return ['delayed', 'waiting', 'prioritized', 'active', 'waiting-children'].includes(state);
}

interface SchedulerDefinition {
  template: { name: string; data: TaskEnvelope; opts: ReturnType<Broker['jobOptions']> };
  /** Everything the upsert writes, as one string: equal means Redis already holds this entry. */
  fingerprint: string;
}

function schedulerOf(broker: Broker, entry: ScheduleEntry): SchedulerDefinition {
  const task = entry.task;
  const payload = broker.validate(task, entry.payload);
  const opts = broker.jobOptions(task, 'unused');
  delete opts.jobId;
  const template = { name: task.name, data: { payload } satisfies TaskEnvelope, opts };
  return { template, fingerprint: JSON.stringify([task.queue, entry.cron, entry.tz, template]) };
}

async function writeScheduler(broker: Broker, entry: ScheduleEntry, scheduler: SchedulerDefinition = schedulerOf(broker, entry)): Promise<void> {
  await broker.queue(entry.task.queue).upsertJobScheduler(entry.id, { pattern: entry.cron, tz: entry.tz }, scheduler.template);
  await broker.connection.hset(fingerprintsKey(broker.options.prefix), entry.id, scheduler.fingerprint);
}

/** Pauses a periodic entry: its scheduler is removed and beat will not restore it until resumed. */
export async function pauseSchedule(broker: Broker, registry: TaskRegistry, id: string): Promise<void> {
  const entry = requireEntry(registry, id);
  await broker.connection.sadd(pausedKey(broker.options.prefix), id);
  await broker.queue(entry.task.queue).removeJobScheduler(id);
  await broker.connection.hdel(fingerprintsKey(broker.options.prefix), id);
}

export async function resumeSchedule(broker: Broker, registry: TaskRegistry, id: string): Promise<void> {
  const entry = requireEntry(registry, id);
  await broker.connection.srem(pausedKey(broker.options.prefix), id);
  await writeScheduler(broker, entry);
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
