import type { z } from 'zod';
import type { Database } from '../db/index.ts';
import type { Task } from './define-task.ts';
import type { QueueName } from './queues.ts';

/** Celery's `apply_async` options. */
export interface EnqueueOptions {
  /** Run no earlier than this many seconds from now. */
  countdown?: number;
  /** Run no earlier than this moment. */
  eta?: Date | number;
  /** Seconds from now, or a moment, after which the task is revoked instead of run if it has not started. */
  expires?: number | Date;
  /** 1 is the highest priority. */
  priority?: number;
  /** Task id; the same id enqueued twice runs once while the first is retained. Default: see `taskIdOf`. */
  id?: string;
  /** Route to another queue than the task's own. */
  queue?: QueueName;
  /**
   * The caller's database transaction: the task is recorded in it as an outbox row (committed or
   * rolled back with the change it follows) and enqueued by the relay after the commit, even if
   * Redis is down now or comes back empty (tasks/outbox.ts). Needs the OutboxProducer, which
   * services get; the Broker alone refuses it.
   */
  tx?: Database;
}

/** What enqueueing returns: the handle for `results.get(id)`. */
export interface TaskRef {
  id: string;
  name: string;
  queue: QueueName;
}

/** One run of a bulk enqueue: its payload, and its id when not the task's default. */
export interface EnqueueItem<S extends z.ZodType> {
  payload: z.input<S>;
  id?: string;
}

/**
 * The one way to enqueue a task (Celery's `delay` / `apply_async`), injected into whatever enqueues:
 * services, admin operations, the CLI. The payload is validated against the task's schema first:
 * an invalid one throws TaskPayloadError naming the fields, and nothing is enqueued.
 *
 * Implemented by the Broker (straight to Redis) and by the OutboxProducer services get, which with
 * `{ tx }` records the task in the caller's transaction and otherwise hands it to the Broker.
 */
export interface TaskProducer {
  enqueue<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: z.input<S>, options?: EnqueueOptions): Promise<TaskRef>;
  /** Many runs of one task in as few round trips as the producer can; one invalid payload enqueues nothing. */
  enqueueMany<S extends z.ZodType, R, D>(task: Task<S, R, D>, items: readonly EnqueueItem<S>[]): Promise<TaskRef[]>;
}
