import { sql } from 'drizzle-orm';
import type { Database, DatabaseHandle, SqlRunner } from '../db/index.ts';
import { queryRows } from '../db/index.ts';
import type { Broker } from './broker.ts';
import type { Task } from './define-task.ts';
import type { EnqueueItem, EnqueueOptions, TaskProducer, TaskRef } from './producer.ts';
import type { z } from 'zod';
import { taskOutbox, type OutboxOptions } from './outbox.tables.ts';
import { isQueueName } from './queues.ts';

/** One unfinished row as the relay reads it. */
export interface OutboxEntry {
  id: number;
  taskId: string;
  taskName: string;
  queue: string;
  payload: unknown;
  options: OutboxOptions;
  redisRunId: string | null;
}

/** A row to record with a database change. */
export interface NewOutboxEntry {
  taskId: string;
  taskName: string;
  queue: string;
  payload: unknown;
  options: OutboxOptions;
}

type EntryRow = {
  id: string | number;
  task_id: string;
  task_name: string;
  queue: string;
  payload: unknown;
  options: OutboxOptions | string;
  redis_run_id: string | null;
};

const toEntry = (row: EntryRow): OutboxEntry => ({
  id: Number(row.id),
  taskId: row.task_id,
  taskName: row.task_name,
  queue: row.queue,
  payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
  options: typeof row.options === 'string' ? (JSON.parse(row.options) as OutboxOptions) : row.options,
  redisRunId: row.redis_run_id,
});

const secs = (ms: number) => sql`make_interval(secs => ${ms / 1000}::double precision)`;

/**
 * The task outbox's table (migration 0050): rows written in a caller's transaction, claimed by the
 * relays with `FOR UPDATE SKIP LOCKED` and a lease, marked done when their task has finished.
 */
export class TaskOutbox {
  private readonly sql: SqlRunner;

  constructor(database: DatabaseHandle) {
    this.sql = database.sql;
  }

  /** Records rows in `tx` (the caller's transaction); a task id already recorded is kept as it is. */
  async record(tx: Database, entries: readonly NewOutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.insert(taskOutbox).values([...entries]).onConflictDoNothing({ target: taskOutbox.taskId });
  }

  /**
   * Claims up to `limit` rows whose task is not (or no longer) in the Redis `runId`: never
   * enqueued, enqueued to a Redis that has since lost it, or handed back. Two relays never claim
   * the same row: SKIP LOCKED while the claim runs, the lease (`claimed_until`) after it.
   */
  async claim(runId: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const rows = await queryRows<EntryRow>(
      this.sql,
      sql`update task_outbox o set claimed_until = now() + ${secs(leaseMs)}
            from (select id from task_outbox
                   where done_at is null
                     and (claimed_until is null or claimed_until < now())
                     and (redis_run_id is null or redis_run_id <> ${runId})
                   order by id limit ${limit}
                   for update skip locked) picked
           where o.id = picked.id
       returning o.id, o.task_id, o.task_name, o.queue, o.payload, o.options, o.redis_run_id`,
    );
    return rows.map(toEntry).sort((a, b) => a.id - b.id);
  }

  /** The rows are in Redis `runId` now; the lease ends. */
  async markEnqueued(ids: readonly number[], runId: string): Promise<void> {
    if (ids.length === 0) return;
    await queryRows(
      this.sql,
      sql`update task_outbox set enqueued_at = now(), redis_run_id = ${runId}, claimed_until = null,
                 enqueue_count = enqueue_count + 1, last_error = null
           where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`,
    );
  }

  /** Enqueueing failed: the row is handed back (claimable again after `retryInMs`) with the reason. */
  async release(id: number, error: string, retryInMs: number): Promise<void> {
    await queryRows(this.sql, sql`update task_outbox set claimed_until = now() + ${secs(retryInMs)}, last_error = ${error.slice(0, 1000)} where id = ${id}`);
  }

  /** The task has finished (succeeded, or failed for good): the row is done. Idempotent. */
  async markDone(taskId: string, error?: string): Promise<void> {
    await queryRows(
      this.sql,
      sql`update task_outbox set done_at = now(), claimed_until = null${error === undefined ? sql`` : sql`, last_error = ${error.slice(0, 1000)}`}
           where task_id = ${taskId} and done_at is null`,
    );
  }

  /** Forgets where a row was enqueued, so the next claim enqueues it again (its job is gone from Redis). */
  async forgetEnqueue(id: number): Promise<void> {
    await queryRows(this.sql, sql`update task_outbox set redis_run_id = null where id = ${id} and done_at is null`);
  }

  /** Unfinished rows enqueued to Redis `runId` more than `olderThanMs` ago: the relay asks Redis what became of them. */
  async enqueuedBefore(runId: string, olderThanMs: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await queryRows<EntryRow>(
      this.sql,
      sql`select id, task_id, task_name, queue, payload, options, redis_run_id from task_outbox
           where done_at is null and redis_run_id = ${runId} and enqueued_at < now() - ${secs(olderThanMs)}
           order by enqueued_at limit ${limit}`,
    );
    return rows.map(toEntry);
  }

  /**
   * Records that the relays now see Redis `runId`. Returns the run id seen before when it was
   * another one (Redis restarted, maybe empty), to exactly one caller; undefined otherwise.
   */
  async swapRunId(runId: string): Promise<string | undefined> {
    const inserted = await queryRows(
      this.sql,
      sql`insert into task_relay_state (id, redis_run_id) values (1, ${runId}) on conflict (id) do nothing returning 1`,
    );
    if (inserted.length > 0) return undefined;
    // Two statements, not one CTE: a row locked and updated by the same statement reads as missing.
    // A second relay waits for the first's row lock, then finds the run id already set: no row.
    const rows = await queryRows<{ previous: string | null }>(
      this.sql,
      sql`update task_relay_state s set redis_run_id = ${runId}, updated_at = now()
            from (select redis_run_id as previous from task_relay_state where id = 1) seen
           where s.id = 1 and s.redis_run_id is distinct from ${runId}
       returning seen.previous`,
    );
    return rows[0]?.previous ?? undefined;
  }

  /** Sets the seen run id back (a recovery failed: the next relay tick tries again). */
  async restoreRunId(previous: string, failed: string): Promise<void> {
    await queryRows(this.sql, sql`update task_relay_state set redis_run_id = ${previous} where id = 1 and redis_run_id = ${failed}`);
  }

  /** How many rows wait for their task to finish, and the oldest one's age. */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const rows = await queryRows<{ pending: string | number; oldest: string | number | null }>(
      this.sql,
      sql`select count(*) as pending, extract(epoch from now() - min(created_at)) as oldest from task_outbox where done_at is null`,
    );
    const row = rows[0];
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Math.round(Number(row?.oldest ?? 0))) };
  }

  /** Deletes done rows older than `olderThanMs` (the table stays bounded); returns how many. */
  async prune(olderThanMs: number, limit = 10_000): Promise<number> {
    const rows = await queryRows(
      this.sql,
      sql`delete from task_outbox where id in (
            select id from task_outbox where done_at is not null and done_at < now() - ${secs(olderThanMs)} limit ${limit})
          returning id`,
    );
    return rows.length;
  }
}

/**
 * The TaskProducer services get: `enqueue(task, payload, { tx })` records an outbox row in the
 * caller's transaction (the relay enqueues it after the commit); without `tx` it enqueues at once
 * through the broker. One way to enqueue, two implementations behind it.
 */
export class OutboxProducer implements TaskProducer {
  constructor(
    private readonly broker: Broker,
    readonly outbox: TaskOutbox,
  ) {}

  async enqueue<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: z.input<S>, options: EnqueueOptions = {}): Promise<TaskRef> {
    const { tx, ...rest } = options;
    if (!tx) return this.broker.enqueue(task, payload, rest);
    const data = this.broker.validate(task, payload);
    const id = this.broker.taskId(task, data, rest.id);
    const queue = rest.queue ?? task.queue;
    await this.outbox.record(tx, [{ taskId: id, taskName: task.name, queue, payload: data, options: outboxOptions(rest) }]);
    return { id, name: task.name, queue };
  }

  enqueueMany<S extends z.ZodType, R, D>(task: Task<S, R, D>, items: readonly EnqueueItem<S>[]): Promise<TaskRef[]> {
    return this.broker.enqueueMany(task, items);
  }
}

/** EnqueueOptions as absolute times, for a row that may wait before it is enqueued. */
function outboxOptions(options: EnqueueOptions): OutboxOptions {
  const out: OutboxOptions = {};
  if (options.countdown !== undefined && options.eta !== undefined) throw new Error('give countdown or eta, not both');
  if (options.countdown !== undefined) out.runAt = Date.now() + Math.round(options.countdown * 1000);
  if (options.eta !== undefined) out.runAt = options.eta instanceof Date ? options.eta.getTime() : options.eta;
  if (options.expires !== undefined) out.expiresAt = options.expires instanceof Date ? options.expires.getTime() : Date.now() + options.expires * 1000;
  if (options.priority !== undefined) out.priority = options.priority;
  return out;
}

/** The options a relay enqueues a row with: its own task id, queue and absolute times. */
export function relayOptions(entry: OutboxEntry): EnqueueOptions {
  const options: EnqueueOptions = { id: entry.taskId };
  if (entry.options.runAt !== undefined) options.eta = entry.options.runAt;
  if (entry.options.expiresAt !== undefined) options.expires = new Date(entry.options.expiresAt);
  if (entry.options.priority !== undefined) options.priority = entry.options.priority;
  if (isQueueName(entry.queue)) options.queue = entry.queue;
  return options;
}
